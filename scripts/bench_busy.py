# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The busy webhook of ``scripts/benchmark --scale`` (or ``--scale-busy-only``).

One webhook gets BUSY_PER_DAY logs a day over BUSY_DAYS days, among
BUSY_OTHER_RULES other webhooks with BUSY_OTHER_LOGS logs each (1,000,000 logs
in all, ``bench_scale.fill_busy``), in a copy of a database; another copy
without any log nor the other webhooks is the empty reference. Both are
served side by side and timed in turn over JSON-RPC, as an RPC client and the
web client ask: ``read()`` of the webhook (every field but its x2many), the
webhook form (``web_read`` with the form view's specification) and the first
page of the Webhooks list (``web_search_read``, 80 rows). Target: each ≤ 2×
the empty figure + 50 ms. Every statement of the three calls, in the busy
copy, is explained (``EXPLAIN (ANALYZE, BUFFERS)``) into EXPLAIN_PATH.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import bench_report
import bench_scale
import bench_ui

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
EXPLAIN_SCRIPT = os.path.join(SCRIPTS, "bench_busy_explain.py")
EXPLAIN_PATH = os.path.join(os.path.dirname(SCRIPTS), "doc", "benchmark-explain.txt")
HEADING = "## Scale: a busy webhook among 10,000 (1,000,000 logs)"
TITLE = "Busy webhook screens"
SUMMARY = re.compile(r"^- \*\*(met|MISSED)\*\* " + TITLE)
SCREENS = {
    "rpc_read": "read() of the webhook (every field but x2many)",
    "form": "webhook form (web_read)",
    "webhook_list": "first page of the Webhooks list (web_search_read, 80)",
}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class BusyScreens(bench_ui.Screens):
    """The screens of bench_ui, plus read() as an RPC client calls it."""

    def __init__(self, base_url, db, rule_id):
        super().__init__(base_url, db, rule_id)
        described = self.rpc.call_kw(
            "base.automation", "fields_get", [], attributes=["type"]
        )
        self.read_fields = sorted(
            name
            for name, description in described.items()
            if description["type"] not in ("one2many", "many2many")
        )

    def rpc_read(self):
        return self.rpc.call_kw(
            "base.automation", "read", [[self.rule_id]],
            fields=self.read_fields, context=self.context,
        )  # fmt: skip


def measure(servers, rule_id, repeat=9):
    """Time the SCREENS of ``rule_id`` on each of ``servers`` ({label: (url, db)}).

    Calls alternate between the servers, so that noise hits them alike.
    Returns {label: {screen: {"median_ms", "times_ms", "rows"}}}.
    """
    sessions = {
        label: BusyScreens(url, db, rule_id) for label, (url, db) in servers.items()
    }
    return bench_ui.time_screens(sessions, SCREENS, repeat)


def explain(addons_path, db, rule_id):
    """Return the plans of the statements of the three calls in ``db``."""
    with open(EXPLAIN_SCRIPT, encoding="utf-8") as file:
        snippet = file.read()
    params = {"rule_id": rule_id, "scripts": SCRIPTS}
    out = subprocess.run(
        [sys.executable, "-m", "odoo", "shell", "-d", db, "--no-http",
         f"--addons-path={addons_path}", "--log-level=warn"],
        input=snippet, capture_output=True, text=True, check=True,
        env=dict(os.environ, BENCH_BUSY=json.dumps(params)),
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("BENCH_BUSY_RESULT "))
    return json.loads(line.split(" ", 1)[1])


def filestore(db):
    """Return the filestore directory of ``db`` (Odoo's configuration)."""
    from odoo.tools import config

    return os.path.join(config["data_dir"], "filestore", db)


def prepare(base_db, rule_id=None, unvacuumed=None):
    """Copy ``base_db`` twice: ``<base>_empty`` (no logs) and ``<base>_busy``.

    Returns (empty copy, busy copy, rule id, sizes).
    """
    empty, busy = base_db + "_empty", base_db + "_busy"
    for copy in (empty, busy):
        log(f"{copy}: copy of {base_db}")
        bench_scale.copy_database(base_db, copy)
        if os.path.isdir(filestore(base_db)):
            shutil.copytree(filestore(base_db), filestore(copy), dirs_exist_ok=True)
    rule_id = rule_id or bench_scale.busy_rule(base_db)
    bench_scale.empty_logs(empty)
    log(f"{busy}: webhook {rule_id} made busy among {bench_scale.BUSY_OTHER_RULES:,}")
    started = time.monotonic()
    sizes = bench_scale.fill_busy(busy, rule_id, unvacuumed=unvacuumed)
    sizes["seconds"] = round(time.monotonic() - started)
    log(f"{busy}: {sizes['logs']:,} logs, {sizes['rule_logs']:,} of the webhook's, "
        f"in {sizes['seconds']} s")  # fmt: skip
    return empty, busy, rule_id, sizes


def run(args, base_db, serve, rule_id=None):
    """The busy case on copies of ``base_db``; ``serve(layout)`` starts servers.

    ``serve`` takes {label: db} and returns {label: server} (with
    ``base_url`` and ``stop()``). The copies are dropped at the end.
    """
    empty, busy, rule_id, sizes = prepare(base_db, rule_id, args.busy_unvacuumed)
    try:
        log(f"{busy}: EXPLAIN (ANALYZE, BUFFERS) of read, web_read, web_search_read")
        plans = explain(args.addons_path, busy, rule_id)
        servers = serve({"empty": empty, "busy": busy})
        try:
            screens = measure(
                {label: (s.base_url, s.db) for label, s in servers.items()}, rule_id
            )
        finally:
            for server in servers.values():
                server.stop()
    finally:
        for copy in (empty, busy):
            bench_scale.drop_database(copy)
            shutil.rmtree(filestore(copy), ignore_errors=True)
    result = {"sizes": sizes, "rule_id": rule_id, "screens": screens, "plans": plans}
    write_explain(result, args.command)
    return result


def limit_ms(empty_ms):
    """The target: 2× the empty figure + 50 ms."""
    return 2 * empty_ms + 50


def section(result):
    """Return (markdown lines, summary results, console lines) of the busy case."""
    sizes, screens = result["sizes"], result["screens"]
    rows, all_ok = [], True
    for name, title in SCREENS.items():
        empty = screens["empty"][name]["median_ms"]
        busy = screens["busy"][name]["median_ms"]
        ok = busy <= limit_ms(empty)
        all_ok &= ok
        rows.append(
            [
                title,
                f"{empty:.1f}",
                f"{busy:.1f}",
                f"{limit_ms(empty):.1f}",
                f"{busy / limit_ms(empty):.2f}",
                f"{screens['empty'][name]['rows']} → {screens['busy'][name]['rows']}",
                bench_report.verdict(ok),
            ]
        )
    header = [
        "call",
        "empty ms",
        "busy ms",
        "limit (2× empty + 50 ms)",
        "busy/limit",
        "rows (count)",
        "within limit",
    ]
    statements = sorted(result["plans"]["statements"], key=lambda s: -s["ms"])
    plan_rows = [
        [
            s["call"],
            f"`{s['query'][:80]}…`",
            s["scans"],
            s["buffers"],
            s["heap_fetches"],
            f"{s['ms']:.2f}",
        ]
        for s in statements[:6]
    ]
    machine = result.get("machine")
    measured = (
        [
            f"Measured {machine['date']} at commit {machine['commit']}"
            + (" plus uncommitted changes" if machine["dirty"] else "")
            + f", `{result['command']}`.",
            "",
        ]
        if machine
        else []
    )
    lines = [
        "",
        HEADING,
        "",
        *measured,
        f"Webhook {result['rule_id']} with {sizes['rule_logs']:,} logs "
        f"({bench_scale.BUSY_PER_DAY:,} a day over {bench_scale.BUSY_DAYS} days) "
        f"among {sizes['other_rules']:,} other webhooks with "
        f"{bench_scale.BUSY_OTHER_LOGS} logs each, {sizes['logs']:,} logs in all "
        f"(`bench_scale.fill_busy`; the newest {sizes['unvacuumed']:,} not vacuumed "
        "yet, as many as autovacuum lets wait with the table's settings), vs a copy "
        "of the same database without any "
        "log nor the other webhooks; served side by side (threaded), median of "
        "9 calls over JSON-RPC each (`scripts/bench_busy.py`).",
        "",
        bench_report.markdown_table(header, rows),
        "",
        "The slowest statements of the three calls in the busy copy (`EXPLAIN",
        "(ANALYZE, BUFFERS)`, the second of two runs: planning and execution ms,",
        "shared buffers of the top node, table rows visited by index-only scans;",
        "every statement's plan is in `doc/benchmark-explain.txt`):",
        "",
        bench_report.markdown_table(
            ["call", "statement", "scans", "buffers", "heap fetches", "ms"], plan_rows
        ),
    ]
    worst = max(float(row[4]) for row in rows)
    results = [
        (TITLE, all_ok, f"each ≤ 2× empty + 50 ms (worst: {worst:.2f} of the limit)")
    ]
    console = ["", "== busy webhook ==", bench_report.console_table(header, rows)]
    return lines, results, console


def splice(existing, result):
    """Put the busy section and its summary line into an existing report."""
    lines, results, console = section(result)
    markdown = bench_report.splice_section(existing, HEADING, lines, results, SUMMARY)
    return markdown, "\n".join(console)


def write_explain(result, command):
    """Write every statement's plan into EXPLAIN_PATH."""
    sizes = result["sizes"]
    out = [
        "EXPLAIN (ANALYZE, BUFFERS) of every statement of read(), the form's",
        "web_read and the Webhooks list's web_search_read of the busy webhook",
        f"(webhook {result['rule_id']}: {sizes['rule_logs']:,} of {sizes['logs']:,} "
        f"logs, {sizes['other_rules']:,} other webhooks).",
        f"Generated by `{command}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; do not edit.",
    ]
    for statement in result["plans"]["statements"]:
        out += [
            "",
            "=" * 78,
            f"{statement['call']}: {statement['ms']:.2f} ms, "
            f"{statement['buffers']} buffers, "
            f"{statement['heap_fetches']} heap fetches",
            statement["query"],
            "-" * 78,
            statement["plan"],
        ]
    os.makedirs(os.path.dirname(EXPLAIN_PATH), exist_ok=True)
    with open(EXPLAIN_PATH, "w", encoding="utf-8") as file:
        file.write("\n".join(out) + "\n")
    log(f"wrote {EXPLAIN_PATH}")
