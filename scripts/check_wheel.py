# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Check a built wheel of the addon: what it must hold, and what it must not.

Run by ``.ci/run``: ``python3 scripts/check_wheel.py dist/*.whl``. The files
of ``[tool.webhook_automation] wheel-exclude`` (``pyproject.toml``) must be
missing, the addon's code, data and Odoo tests present.
"""

import sys
import tomllib
import zipfile
from pathlib import Path

from wheel_backend import is_excluded

ADDON = "odoo/addons/webhook_automation/"
REQUIRED = (
    "__manifest__.py",
    "models/base_automation_pipeline.py",
    "controllers/dispatcher.py",
    "receiver/signatures.py",
    "sender/ssrf.py",
    "security/ir.model.access.csv",
    "tests/__init__.py",
    "tests/common.py",
)


def main(wheel_path):
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    with pyproject.open("rb") as toml_file:
        patterns = tomllib.load(toml_file)["tool"]["webhook_automation"][
            "wheel-exclude"
        ]
    with zipfile.ZipFile(wheel_path) as wheel:
        names = wheel.namelist()
    errors = [
        f"missing: {ADDON}{name}" for name in REQUIRED if ADDON + name not in names
    ]
    errors += [f"not left out: {name}" for name in names if is_excluded(name, patterns)]
    if errors:
        sys.exit(f"{wheel_path}:\n  " + "\n  ".join(errors))
    print(f"{Path(wheel_path).name}: {len(names)} files, none of {patterns}")


if __name__ == "__main__":
    main(*sys.argv[1:])
