# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# ruff: noqa: F821
"""Run by scripts/benchmark.py inside ``odoo shell`` (``env`` is Odoo's): not a
module to import. Its parameters come as JSON in the BENCH_SETUP environment
variable; it prints one ``BENCH_SETUP_RESULT <json>`` line.

``"step": "rules"`` (re)creates the benchmark's partners and webhook rules, the
same in both databases; the settings only webhook_automation has (signature,
async mode) are set where its fields exist, and so are the rules of the flood
section, where the protection fields exist: the same rules without any
protection (``<key>_unlimited``) and one limited to PARAMS["flood_rate"]
(limit, period, burst); and, where Create/Update from Payload exists, rule
(1) by mapping instead of code (``mapping``, the mapping section's).
``"step": "scale"`` adds the filler webhook rules of the scale test (in a copy
of the database).
``"step": "explain"`` runs, in the scaled copy, a call of the update and of
the async webhook (through Odoo's HTTP stack, in process), the figures of the
Webhooks list and form and a batch of the log purge, and returns the plan of
every query they ran (``EXPLAIN ANALYZE``, rolled back).
``"step": "accept_paths"`` times what accepting an async call stores, by one
INSERT or by queue_job's ``with_delay()`` (see ``accept_paths()``).
"""

import json
import os
import re
import threading

from werkzeug.test import Client

from odoo import Command, http
from odoo.tools import SQL

PARAMS = json.loads(os.environ["BENCH_SETUP"])
RULE_PREFIX = "Bench: "
PROTECTION_FIELDS = (
    "webhook_rate_limit",
    "webhook_max_concurrency",
    "webhook_max_backlog",
    "webhook_failure_threshold",
    "webhook_time_limit",
)
FILLER_PREFIX = "Bench filler "


def bench_partners(count):
    """Return ``count`` partners to update (ref bench-N), created once."""
    partner = env["res.partner"].with_context(active_test=False)
    partners = partner.search([("ref", "=like", "bench-p%")], order="id")
    missing = [
        {"name": f"Bench partner {n}", "ref": f"bench-p{n:03d}", "color": 0}
        for n in range(len(partners) + 1, count + 1)
    ]
    if missing:
        partners |= partner.create(missing)
    counter = partner.search([("ref", "=", "bench-counter")], limit=1)
    if not counter:
        counter = partner.create({"name": "Bench counter", "ref": "bench-counter"})
    counter.color = 0
    return partners[:count], counter


def create_code():
    """Return the documentation's create-contact code for this database.

    Without the account module res.partner has no customer_rank: the line
    setting it is dropped (in both databases alike), the rest is verbatim.
    """
    code = PARAMS["create_code"]
    if "customer_rank" not in env["res.partner"]._fields:
        code = "".join(
            line
            for line in code.splitlines(keepends=True)
            if "'customer_rank'" not in line
        )
    return code


def action_values(kind):
    """Return the values of the server action of a rule of ``kind``."""
    model = env["ir.model"]._get("res.partner")
    values = {"name": f"Bench {kind}", "model_id": model.id}
    values["usage"] = "base_automation"
    if kind == "update":
        # seed use case 1, on contacts: an Update Record action
        field = env["ir.model.fields"]._get("res.partner", "function")
        values.update(
            state="object_write",
            update_path="function",
            update_field_id=field.id,
            evaluation_type="value",
            value="Updated by webhook",
        )
    elif kind == "same":
        values.update(state="code", code="record.write({'color': record.color + 1})")
    elif kind == "mapping":
        values.update(mapping_action_values(model))
    else:  # create: seed use case 2, the code of Odoo's documentation
        values.update(state="code", code=create_code())
    return values


def mapping_action_values(model):
    """Return the create-contact code as a Create/Update from Payload action.

    The same contact as the code gives (its fields, company type and, with
    the account module, customer rank), without code: mode Create, as the
    code always creates.
    """
    lines = [
        ("name", {"path": "name", "required": True}),
        ("email", {"path": "email", "required": True}),
        ("phone", {"path": "phone"}),
        ("company_type", {"source": "fixed", "fixed_value": "person"}),
    ]
    if "customer_rank" in env["res.partner"]._fields:
        lines.append(("customer_rank", {"source": "fixed", "fixed_value": "1"}))
    field_model = env["ir.model.fields"]
    return {
        "state": "webhook_upsert",
        "crud_model_id": model.id,
        "webhook_upsert_mode": "create",
        "webhook_mapping_ids": [
            Command.create(
                {
                    "sequence": sequence,
                    "field_id": field_model._get("res.partner", name).id,
                    **line,
                }
            )
            for sequence, (name, line) in enumerate(lines)
        ],
    }


def rule_values(key, kind, ours_values):
    """Return the values of the benchmark rule ``key``."""
    automation = env["base.automation"]
    values = {
        "name": RULE_PREFIX + key,
        "model_id": env["ir.model"]._get("res.partner").id,
        "trigger": "on_webhook",
        "log_webhook_calls": True,
        # core needs a record to run on: the documentation's placeholder
        "record_getter": "model.browse([2])"
        if kind in ("create", "mapping")
        else PARAMS["target_record"],
        "action_server_ids": [Command.create(action_values(kind))],
    }
    values.update(
        {name: value for name, value in ours_values.items() if name in automation}
    )
    return values


def create_rules():
    automation = env["base.automation"].with_context(active_test=False)
    automation.search([("name", "=like", RULE_PREFIX + "%")]).unlink()
    ours = "webhook_mode" in automation._fields
    plain = {"webhook_mode": "sync", "webhook_delivery_id_source": "none"}
    specs = {
        "create": ("create", plain),
        "update": ("update", plain),
        "same": ("same", plain),
    }
    if ours:
        specs["signed"] = (
            "update",
            {
                **plain,
                "webhook_signature_scheme": "github",
                "webhook_signing_secret": PARAMS["signing_secret"],
            },
        )
        specs["async"] = ("create", {**plain, "webhook_mode": "async"})
        if "webhook_mapping_ids" in env["ir.actions.server"]._fields:
            # rule (1) by mapping: the mapping section's comparison
            specs["mapping"] = ("mapping", plain)
    protections = [name for name in PROTECTION_FIELDS if name in automation._fields]
    if protections:
        # the flood section's webhooks without any protection (0 = none),
        # where a new webhook gets a time limit
        off = dict.fromkeys(protections, 0)
        for key in ("create", "update", "same", "signed"):
            kind, values = specs[key]
            specs[f"{key}_unlimited"] = (kind, {**values, **off})
    if "webhook_rate_limit" in automation._fields:
        rate = PARAMS["flood_rate"]
        specs["limited"] = (
            "update",
            {
                **plain,
                "webhook_rate_limit": rate["limit"],
                "webhook_rate_period": rate["period"],
                "webhook_rate_burst": rate["burst"],
            },
        )
    rules = {}
    for key, (kind, ours_values) in specs.items():
        rule = automation.create(rule_values(key, kind, ours_values))
        rules[key] = {"id": rule.id, "uuid": rule.webhook_uuid}
    partners, counter = bench_partners(PARAMS["partners"])
    update = automation.browse(rules["update"]["id"])
    return {
        "ours": ours,
        "rules": rules,
        # the protection settings a new webhook gets (the flood section's report)
        "protection": {
            name: update[name]
            for name in PROTECTION_FIELDS
            if name in automation._fields
        },
        "partners": partners.ids,
        "counter": counter.id,
    }


def create_fillers():
    """Add filler webhook rules (one action each) up to PARAMS['scale_rules']."""
    automation = env["base.automation"].with_context(active_test=False)
    existing = automation.search_count([("name", "=like", FILLER_PREFIX + "%")])
    batch = 1000
    for start in range(existing + 1, PARAMS["scale_rules"] + 1, batch):
        stop = min(start + batch, PARAMS["scale_rules"] + 1)
        automation.create([rule_values_filler(number) for number in range(start, stop)])
        env.cr.commit()
    return {
        "fillers": automation.search_count([("name", "=like", FILLER_PREFIX + "%")])
    }


def rule_values_filler(number):
    values = rule_values(f"filler {number:05d}", "update", {})
    values["name"] = f"{FILLER_PREFIX}{number:05d}"
    return values


# the statements worth a plan; the rest (savepoints, settings) have none
EXPLAINABLE = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
SCAN_NODES = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Index Scan")


def captured_queries(run):
    """Run ``run()`` and return the statements it sent, with their parameters."""
    queries = []

    def hook(cr, query, params, start, delay):
        queries.append((str(query), str(cr._format(query, params))))

    thread = threading.current_thread()
    if not hasattr(thread, "query_hooks"):
        thread.query_hooks = []
    thread.query_hooks.append(hook)
    try:
        run()
    finally:
        thread.query_hooks.remove(hook)
    return queries


def plan_scans(node, found):
    """Collect the scans of a JSON plan: (node type, relation, index, rows)."""
    if node["Node Type"] in SCAN_NODES:
        found.append(
            (
                node["Node Type"],
                node.get("Relation Name", ""),
                node.get("Index Name", ""),
                node.get("Actual Rows", 0),
            )
        )
    for child in node.get("Plans", ()):
        plan_scans(child, found)
    return found


def explain(query):
    """Return the plan of ``query`` (EXPLAIN ANALYZE, rolled back).

    The second of two runs: the first one also prepares what a running
    server has ready (the plans of foreign key checks, the caches).
    """
    for _ in range(2):
        env.cr.execute("SAVEPOINT bench_explain")
        try:
            env.cr.execute(
                SQL(
                    "EXPLAIN (ANALYZE, FORMAT JSON) %s",
                    SQL(query.replace("%", "%%")),
                )
            )
            plan = env.cr.fetchone()[0][0]
        finally:
            env.cr.execute("ROLLBACK TO SAVEPOINT bench_explain")
    return {
        "ms": round(plan["Planning Time"] + plan["Execution Time"], 3),
        "scans": plan_scans(plan["Plan"], []),
    }


def table_sizes():
    """Return {table: estimated rows} of the tables of the database."""
    env.cr.execute(
        "SELECT relname, reltuples::bigint FROM pg_class "
        "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
    )
    return dict(env.cr.fetchall())


def explain_hot_path():
    """Plans of the queries of calls, figures and purge, in the scaled copy."""
    automation = env["base.automation"]
    partner = env["res.partner"].search([("ref", "=like", "bench-p%")], limit=1)
    client = Client(http.root)
    parts = []
    for kind in ("update", "async"):
        rule = automation.search([("name", "=", RULE_PREFIX + kind)], limit=1)
        body = json.dumps({"model": "res.partner", "id": partner.id})
        url = f"/web/hook/{rule.webhook_uuid}"
        for _ in range(2):  # the first call fills Odoo's caches
            queries = captured_queries(
                lambda url=url, body=body: client.post(
                    url, data=body, content_type="application/json"
                )
            )
        parts.append((f"call of the {kind} webhook", queries))
    rules = automation.search([("trigger", "=", "on_webhook")], limit=80)
    parts.append(
        (
            "figures of the Webhooks list (80 rules)",
            captured_queries(rules._webhook_read_call_counts),
        )
    )
    parts.append(
        (
            "figures of the webhook form",
            captured_queries(rules[:1]._webhook_read_live_stats),
        )
    )
    log_model = env["webhook.call.log"]
    parts.append(
        (
            "purge of old logs (one batch)",
            captured_queries(log_model._cron_purge_old_logs),
        )
    )
    env.cr.rollback()  # the purge: its rows must stay unlocked for the plans
    result = []
    for part, queries in parts:
        seen = set()
        for shape, query in queries:
            if shape in seen or not EXPLAINABLE.match(query):
                continue
            seen.add(shape)
            result.append(
                dict(explain(query), part=part, query=" ".join(query.split())[:200])
            )
    env.cr.rollback()
    return {"plans": result, "tables": table_sizes()}


def accept_paths():
    """Time what accepting an async call stores, by either path, and its guards.

    For PARAMS["accept_calls"] calls of the async rule, in turn: the log and
    its job by one INSERT (``_insert_log(values, job)``), or the log's INSERT
    then queue_job's ``with_delay()`` and the link of the job to the log
    (``_webhook_enqueue()``), each followed by its commit as a call's. Returns
    the statements and median ms of each path (commit included), and the µs
    of ``queue.job._webhook_can_insert_job()``, which chooses the path, and of
    its two checks. The jobs and logs made are deleted.
    """
    import statistics
    import time
    import timeit
    from types import SimpleNamespace

    from odoo.addons.queue_job import delay as queue_job_delay
    from odoo.addons.queue_job.job import Job

    rule = env["base.automation"].search([("name", "=", RULE_PREFIX + "async")])
    rule = rule.with_context(webhook_own_transaction=True)
    log_model = env["webhook.call.log"].sudo()
    job_model = env["queue.job"]
    env.cr.commit()
    times = {"insert": [], "with_delay": []}
    statements = {"insert": [], "with_delay": []}
    made = []
    for number in range(PARAMS.get("accept_calls", 200)):
        for path in ("insert", "with_delay")[:: (-1) ** number]:
            call = SimpleNamespace(request_id=f"bench-accept-{path}-{number}")
            values = {
                "automation_id": rule.id,
                "request_id": call.request_id,
                "method": "POST",
                "status_code": 202,
                "state": "accepted",
                "mode": "async",
                "attempts": 0,
                "payload": json.dumps({"name": "Bench", "email": "b@example.com"}),
            }
            before, started = env.cr.sql_log_count, time.perf_counter()
            if path == "insert":
                log = log_model._insert_log(values, job=rule._webhook_prepare_job(call))
            else:
                log = log_model._insert_log(values)
                rule._webhook_enqueue(call, log)
            env.cr.commit()
            times[path].append((time.perf_counter() - started) * 1000)
            statements[path].append(env.cr.sql_log_count - before)
            made.append(log.id)
    loops = 20000
    guards = {
        "can_insert_job": job_model._webhook_can_insert_job,
        "create_is_plain": job_model._webhook_create_is_plain,
        "mock_check": lambda: queue_job_delay.Job is not Job,
    }
    guard_us = {
        name: min(timeit.repeat(func, number=loops, repeat=5)) / loops * 1e6
        for name, func in guards.items()
    }
    logs = log_model.browse(made)
    jobs = logs.job_id
    env.cr.execute(SQL("DELETE FROM webhook_call_log WHERE id IN %s", tuple(logs.ids)))
    env.cr.execute(SQL("DELETE FROM queue_job WHERE id IN %s", tuple(jobs.ids)))
    return {
        "calls": len(times["insert"]),
        "paths": {
            path: {
                "statements": statistics.median(statements[path]),
                "median_ms": statistics.median(times[path]),
                "p90_ms": statistics.quantiles(times[path], n=10)[-1],
            }
            for path in times
        },
        "guard_us": guard_us,
        "insert_allowed": job_model._webhook_can_insert_job(),
    }


STEPS = {
    "rules": create_rules,
    "scale": create_fillers,
    "explain": explain_hot_path,
    "accept_paths": accept_paths,
}
RESULT = STEPS[PARAMS["step"]]()
env.cr.commit()
print("BENCH_SETUP_RESULT " + json.dumps(RESULT))
