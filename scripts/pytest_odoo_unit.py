# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""pytest plugin: run the addon's database-free tests (odoo.tests.BaseCase).

pytest-odoo always builds a registry, hence needs a database; this plugin
does only the rest of its work: Odoo's addons path, test mode, module names
under odoo.addons, unittest's subTest. ``scripts/test --unit`` uses it in
place of pytest-odoo for ``tests/test_receiver_*.py``.
"""

import pytest_odoo

from odoo.modules.module import initialize_sys_path
from odoo.tools import config as odoo_config


def pytest_addoption(parser):
    parser.addoption("--odoo-addons-path", action="store", required=True)


def pytest_configure(config):
    odoo_config.parse_config(
        [
            "--addons-path=" + config.getoption("--odoo-addons-path"),
            "--test-enable",
            "--log-level=warn",
        ]
    )
    initialize_sys_path()
    pytest_odoo.support_subtest()
    pytest_odoo.disable_odoo_test_retry()
    pytest_odoo.monkey_patch_resolve_pkg_root_and_module_name()
