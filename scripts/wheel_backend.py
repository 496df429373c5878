# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""PEP 517 build backend: whool's, with development files left out of the wheel.

whool packages every file git tracks in the addon and has no option to leave
some out. This backend builds the wheel with whool, then removes from it the
files that ``[tool.webhook_automation] wheel-exclude`` (``pyproject.toml``)
matches: ``fnmatch`` patterns relative to the addon, where ``*`` also matches
``/``. The sdist keeps everything (the tests need the harness).
"""

import csv
import fnmatch
import io
import os
import zipfile
from pathlib import Path

from whool import buildapi
from whool.buildapi import (  # noqa: F401 (the other hooks, unchanged)
    build_editable,
    build_sdist,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)
from whool.utils import load_pyproject_toml


def get_wheel_excludes(project_dir):
    """Return the patterns of the files to leave out of the wheel."""
    pyproject = load_pyproject_toml(Path(project_dir))
    tool = pyproject.get("tool", {}).get("webhook_automation", {})
    return list(tool.get("wheel-exclude", []))


def is_excluded(name, patterns):
    """Tell whether wheel entry ``name`` is an addon file matched by ``patterns``.

    >>> is_excluded("odoo/addons/a/scripts/bench.py", ["scripts/*"])
    True
    >>> is_excluded("odoo/addons/a/tests/common.py", ["tests/server_harness.py"])
    False
    """
    parts = name.split("/", 3)
    if len(parts) < 4 or parts[:2] != ["odoo", "addons"]:
        return False  # the .dist-info, kept
    return any(fnmatch.fnmatchcase(parts[3], pattern) for pattern in patterns)


def strip_wheel(path, patterns):
    """Rewrite the wheel at ``path`` without the files ``patterns`` match.

    Returns the names removed; the RECORD loses their lines.
    """
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        removed = [
            info.filename for info in infos if is_excluded(info.filename, patterns)
        ]
        if not removed:
            return []
        contents = {info.filename: source.read(info) for info in infos}
    record = next(name for name in contents if name.endswith(".dist-info/RECORD"))
    rows = csv.reader(io.StringIO(contents[record].decode("utf-8")))
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(
        row for row in rows if row and row[0] not in removed
    )
    contents[record] = text.getvalue().encode("utf-8")
    temporary = f"{path}.tmp"
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            if info.filename not in removed:
                target.writestr(info, contents[info.filename])
    os.replace(temporary, path)
    return removed


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    """Build the wheel with whool, then leave the excluded files out of it."""
    name = buildapi.build_wheel(wheel_directory, config_settings, metadata_directory)
    strip_wheel(Path(wheel_directory, name), get_wheel_excludes(Path.cwd()))
    return name
