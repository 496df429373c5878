# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Hostile input: generated requests against a real server (hypothesis).

Every answer must be a JSON error or success, never a 5xx, never a
traceback or a file path, and the database may only change on a 2xx.
``WEBHOOK_FUZZ_EXAMPLES`` sets how many requests are generated (1,000 by
default; ``scripts/fuzz`` runs 10,000 or more outside CI).
"""

import os
import re
import unittest

from .common import WebhookCase

try:
    from hypothesis import HealthCheck, given, settings

    from .fuzz_requests import hostile_requests
except ImportError as exc:
    if exc.name != "hypothesis":
        raise
    # Odoo's CI may run without it: the test is then skipped, and says why
    HYPOTHESIS_MISSING = "hypothesis is not installed (pip install hypothesis)"
else:
    HYPOTHESIS_MISSING = None

EXAMPLES = int(os.environ.get("WEBHOOK_FUZZ_EXAMPLES", "1000"))
LEAKS = re.compile(r"Traceback|File \"|/odoo/|\.py\b|site-packages")

CREATE_CODE = """\
if isinstance(payload.get('name'), str):
    env['res.partner'].create({'name': payload['name'][:100]})
else:
    raise ValueError('a name is required')
"""
UPDATE_CODE = "record.write({'ref': str(payload.get('ref'))[:50]})"


def fuzz(test):
    """Run ``test`` on generated hostile requests (hypothesis)."""
    if HYPOTHESIS_MISSING:
        return test  # its class is skipped
    return settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )(given(request=hostile_requests())(test))


@unittest.skipIf(HYPOTHESIS_MISSING, HYPOTHESIS_MISSING)
class TestHostileInput(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Fuzz target"})
        cls.rules = {
            "create": cls._create_fuzz_rule(
                record_getter=False, code=CREATE_CODE, webhook_allow_get=True
            ),
            "update": cls._create_fuzz_rule(
                record_getter="model.browse(int(payload.get('id', %d)))"
                % cls.partner.id,
                code=UPDATE_CODE,
            ),
            "signed": cls._create_fuzz_rule(
                record_getter=False,
                code=CREATE_CODE,
                webhook_signature_scheme="stripe",
                webhook_signing_secret="whsec_fuzz",
            ),
        }

    @classmethod
    def _create_fuzz_rule(cls, code, **values):
        model = cls.env["ir.model"]._get("res.partner")
        return cls.env["base.automation"].create(
            {
                "name": "Fuzz",
                "model_id": model.id,
                "trigger": "on_webhook",
                "log_webhook_calls": True,
                "action_server_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Fuzz action",
                            "model_id": model.id,
                            "usage": "base_automation",
                            "state": "code",
                            "code": code,
                        },
                    )
                ],
                **values,
            }
        )

    def _snapshot(self):
        self.env.invalidate_all()
        return (
            self.env["res.partner"].search_count([]),
            self.partner.ref,
            self.partner.write_date,
        )

    @fuzz
    def test_hostile_requests(self, request):
        target = request["target"]
        url = (
            self.base_url() + "/web/hook/not-a-webhook-secret"
            if target == "unknown"
            else self.rules[target].url
        )
        before = self._snapshot()
        response = self._call(
            url,
            method=request["method"],
            headers=request["headers"],
            params=request["params"],
            data=request["data"],
        )
        self.assertLess(response.status_code, 500, response.text)
        if request["method"] != "HEAD":
            body = response.json()
            self.assertIn(body["status"], ("ok", "error"))
            self.assertFalse(LEAKS.search(response.text), response.text)
        if not 200 <= response.status_code < 300:
            self.assertEqual(self._snapshot(), before, response.text)
