# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# ruff: noqa: F821
"""Run by scripts/benchmark.py inside ``odoo shell`` (``env`` is Odoo's): not a
module to import. Its parameters come as JSON in the BENCH_SETUP environment
variable; it prints one ``BENCH_SETUP_RESULT <json>`` line.

``"step": "rules"`` (re)creates the benchmark's partners and webhook rules, the
same in both databases; the settings only webhook_automation has (signature,
async mode) are set where its fields exist. ``"step": "scale"`` adds the
filler webhook rules of the scale test (in a copy of the database).
"""

import json
import os

from odoo import Command

PARAMS = json.loads(os.environ["BENCH_SETUP"])
RULE_PREFIX = "Bench: "
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
    else:  # create: seed use case 2, the code of Odoo's documentation
        values.update(state="code", code=create_code())
    return values


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
        if kind == "create"
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
    rules = {}
    for key, (kind, ours_values) in specs.items():
        rule = automation.create(rule_values(key, kind, ours_values))
        rules[key] = {"id": rule.id, "uuid": rule.webhook_uuid}
    partners, counter = bench_partners(PARAMS["partners"])
    return {
        "ours": ours,
        "rules": rules,
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


STEPS = {"rules": create_rules, "scale": create_fillers}
RESULT = STEPS[PARAMS["step"]]()
env.cr.commit()
print("BENCH_SETUP_RESULT " + json.dumps(RESULT))
