# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# ruff: noqa: F821
"""Run by scripts/bench_busy.py inside ``odoo shell`` (``env`` is Odoo's): not a
module to import. Its parameters come as JSON in the BENCH_BUSY environment
variable (``rule_id``, ``scripts``); it prints one ``BENCH_BUSY_RESULT <json>``
line: the plan (``EXPLAIN (ANALYZE, BUFFERS)``, rolled back, the second of
two runs) of every statement of ``read()`` of the webhook (every field but
x2many), of its form's ``web_read`` and of the Webhooks list's first page
(``web_search_read``), with the specifications the web client sends.
"""

import json
import os
import re
import sys
import threading

PARAMS = json.loads(os.environ["BENCH_BUSY"])
sys.path.insert(0, PARAMS["scripts"])

import bench_ui  # noqa: E402

EXPLAINABLE = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
SCAN = re.compile(
    r"((?:Parallel )?(?:Seq|Index Only|Index|Bitmap Index) Scan)"
    r"(?: using (\S+))?(?: on (\S+))?"
)
BUFFERS = re.compile(r"Buffers: shared((?: \w+=\d+)+)")
HEAP_FETCHES = re.compile(r"Heap Fetches: (\d+)")
TIMES = re.compile(r"^(Planning|Execution) Time: ([\d.]+) ms", re.MULTILINE)


def captured(run):
    """Run ``run()`` and return the statements it sent, parameters inlined."""
    queries = []

    def hook(cr, query, params, start, delay):
        queries.append(str(cr._format(query, params)))

    thread = threading.current_thread()
    if not hasattr(thread, "query_hooks"):
        thread.query_hooks = []
    thread.query_hooks.append(hook)
    try:
        run()
    finally:
        thread.query_hooks.remove(hook)
    return queries


def top_buffers(plan):
    """Return the shared buffers (hit, read...) of the top node of a text plan."""
    for line in plan.split("\n")[1:]:
        if not line.startswith("  ") or line.startswith("  ->"):
            break
        found = BUFFERS.match(line.strip())
        if found:
            return sum(int(part.split("=")[1]) for part in found.group(1).split())
    return 0


def explain(query):
    """Return the text plan of ``query`` and its figures, the second of two runs.

    Figures: ms (planning and execution), scans (node, index or table),
    buffers (the shared buffers of the top node, its children's included) and
    heap_fetches (table rows an index-only scan had to visit).
    """
    for _ in range(2):
        env.cr.execute("SAVEPOINT bench_busy_explain")
        try:
            env.cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
            plan = "\n".join(row[0] for row in env.cr.fetchall())
        finally:
            env.cr.execute("ROLLBACK TO SAVEPOINT bench_busy_explain")
    ms = sum(float(value) for _name, value in TIMES.findall(plan))
    scans = dict.fromkeys(
        f"{node} {index or table}" for node, index, table in SCAN.findall(plan)
    )
    return {
        "plan": plan,
        "ms": round(ms, 3),
        "scans": "; ".join(scans) or "-",
        "buffers": top_buffers(plan),
        "heap_fetches": sum(int(n) for n in HEAP_FETCHES.findall(plan)),
    }


def calls():
    """Return {call: function} of the three calls, as the web client makes them."""
    context = {"lang": "en_US", "tz": "UTC", "bin_size": True}
    automation = env["base.automation"].with_context(**context)
    action = env["ir.actions.actions"]._for_xml_id(bench_ui.WEBHOOKS_ACTION)
    views = [[view_id, mode] for view_id, mode in action["views"]]
    result = json.loads(json.dumps(automation.get_views(views), default=str))
    list_spec = bench_ui.view_spec(result, "base.automation", "list")
    form_spec = bench_ui.view_spec(result, "base.automation", "form")
    domain = bench_ui.as_literal(action["domain"]) or []
    read_fields = [
        name
        for name, field in automation._fields.items()
        if field.type not in ("one2many", "many2many")
    ]
    rule = automation.browse(PARAMS["rule_id"])
    return {
        "read": lambda: rule.read(read_fields),
        "form web_read": lambda: rule.web_read(form_spec),
        "list web_search_read": lambda: automation.web_search_read(
            domain,
            list_spec,
            offset=0,
            limit=bench_ui.PAGE,
            order="",
            count_limit=bench_ui.COUNT_LIMIT,
        ),  # fmt: skip
    }


def main():
    statements = []
    for name, run in calls().items():
        env.invalidate_all()
        run()  # the first run fills Odoo's caches (ormcache, views)
        env.invalidate_all()
        seen = set()
        for query in captured(run):
            if query in seen or not EXPLAINABLE.match(query):
                continue
            seen.add(query)
            statements.append(
                dict(explain(query), call=name, query=" ".join(query.split()))
            )
    env.cr.rollback()
    return {"statements": statements}


print("BENCH_BUSY_RESULT " + json.dumps(main()))
