# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The tests package imports in an Odoo CI that has neither hypothesis nor pytest.

Odoo's test runner imports ``tests/__init__.py``: a module importing either
at its top would fail the whole package there. The check runs in a new
Python process where both imports are blocked.
"""

import subprocess
import sys

from odoo.tests import BaseCase
from odoo.tools import config

IMPORT_WITHOUT_TEST_TOOLS = """\
import sys

sys.modules["hypothesis"] = None  # blocked: importing it raises ImportError
sys.modules["pytest"] = None
from odoo.modules.module import initialize_sys_path
from odoo.tools import config

config.parse_config(["--addons-path=" + sys.argv[1], "--test-enable"])
initialize_sys_path()
from odoo.addons.webhook_automation.tests import test_fuzz

print(test_fuzz.TestHostileInput.__unittest_skip_why__)
print(sorted({"hypothesis", "pytest"} & {n for n, m in sys.modules.items() if m}))
"""


class TestTestsPackage(BaseCase):
    def test_imports_without_hypothesis_and_pytest(self):
        result = subprocess.run(
            [sys.executable, "-c", IMPORT_WITHOUT_TEST_TOOLS, config["addons_path"]],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        # the fuzz test is skipped and says why; nothing imported either tool
        self.assertEqual(
            result.stdout.splitlines(),
            ["hypothesis is not installed (pip install hypothesis)", "[]"],
            result.stderr,
        )
