# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Parallel calls on real, committed transactions (not the test cursor).

The calls run in the Odoo server's own threads, each in its own PostgreSQL
transaction, so that concurrent updates really conflict and Odoo's replay of
serialization failures is exercised. The data is committed, hence removed at
the end of the test.
"""

from concurrent.futures import ThreadPoolExecutor

import requests

import odoo
from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name

PARALLEL_CALLS = 8


def _base_url():
    return f"http://127.0.0.1:{odoo.service.server.server.httpd.server_port}"


def test_parallel_increments_are_all_applied():
    registry = Registry(get_db_name())
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        partner = env["res.partner"].create({"name": "Counter", "color": 0})
        rule = env["base.automation"].create(
            {
                "name": "Parallel counter",
                "model_id": env["ir.model"]._get("res.partner").id,
                "trigger": "on_webhook",
                "record_getter": f"model.browse({partner.id})",
                "log_webhook_calls": True,
            }
        )
        env["ir.actions.server"].create(
            {
                "name": "Increment",
                "model_id": rule.model_id.id,
                "usage": "base_automation",
                "base_automation_id": rule.id,
                "state": "code",
                "code": "record.write({'color': record.color + 1})",
            }
        )
        partner_id, rule_id = partner.id, rule.id
        url = f"{_base_url()}/web/hook/{rule.webhook_uuid}"
    try:
        with ThreadPoolExecutor(PARALLEL_CALLS) as pool:
            responses = list(
                pool.map(
                    lambda i: requests.post(url, json={"call": i}, timeout=120),
                    range(PARALLEL_CALLS),
                )
            )
        assert [r.status_code for r in responses] == [200] * PARALLEL_CALLS, [
            r.text for r in responses
        ]
        assert all(r.json()["status"] == "ok" for r in responses)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            assert env["res.partner"].browse(partner_id).color == PARALLEL_CALLS
            logs = env["webhook.call.log"].search([("automation_id", "=", rule_id)])
            # one log per call: the attempts replayed after a conflict left none
            assert sorted(logs.mapped("status_code")) == [200] * PARALLEL_CALLS
            assert len(set(logs.mapped("request_id"))) == PARALLEL_CALLS
    finally:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["base.automation"].browse(rule_id).unlink()
            env["res.partner"].browse(partner_id).unlink()
