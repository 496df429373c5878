# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the outgoing webhooks' forms show and their dialogs do.

The Send Test Event dialog, the Recover Dead Messages dialog, and the
request a webhook action to an endpoint shows in its form: the exact body
and headers, signed with the endpoint's secret.
"""

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import Form

from ..receiver.signatures import get_scheme
from .outgoing_receiver import OutgoingCase


class TestOutgoingUi(OutgoingCase):
    def test_send_test_event_shows_what_was_sent_and_answered(self):
        self.receiver.answers = [(200, {}, b'{"received": true}')]
        action = self.env.ref("webhook_automation.webhook_endpoint_action_send_test")
        result = action.with_context(
            active_model="webhook.endpoint",
            active_id=self.endpoint.id,
            active_ids=self.endpoint.ids,
        ).run()
        self.assertEqual(result["res_model"], "webhook.endpoint.test")
        self.assertEqual(result["target"], "new")
        dialog = self.env["webhook.endpoint.test"].browse(result["res_id"])
        self.assertTrue(dialog.success)
        self.assertEqual(dialog.status_code, 200)
        self.assertEqual(dialog.response_body, '{"received": true}')
        self.assertGreaterEqual(dialog.duration_ms, 0)

        # the headers and the body shown are those the receiver got
        self.assertEqual(len(self.receiver.requests), 1)
        request = self.receiver.requests[0]
        received = {name.lower(): value for name, value in request.headers.items()}
        shown = {
            name.lower(): value
            for name, value in json.loads(dialog.request_headers).items()
        }
        for name, value in shown.items():
            self.assertEqual(received[name], value, name)
        self.assertIn("webhook-signature", shown)
        self.assertEqual(dialog.body, request.body.decode())
        self.assertEqual(dialog.message_ref, received["webhook-id"])
        self.assertEqual(dialog.outgoing_message_id.message_id, dialog.message_ref)
        self.assertEqual(dialog.outgoing_message_id.attempt_ids.trigger, "test")

        # Send Again sends another event, in a new dialog
        again = dialog.action_send_again()
        self.assertNotEqual(again["res_id"], dialog.id)
        self.assertEqual(len(self.receiver.requests), 2)

    def test_send_test_event_shows_a_failure(self):
        self.receiver.answers = [(503, {}, b"down")]
        dialog = self.env["webhook.endpoint.test"].browse(
            self.env["webhook.endpoint.test"]._send_test_event(self.endpoint)["res_id"]
        )
        self.assertFalse(dialog.success)
        self.assertEqual(dialog.status_code, 503)
        self.assertEqual(dialog.response_body, "down")

    def test_recover_dead_since(self):
        Message = self.env["webhook.outgoing.message"]
        old, recent = Message.create(
            [
                {"endpoint_id": self.endpoint.id, "event_type": "x.old", "body": "{}"},
                {"endpoint_id": self.endpoint.id, "event_type": "x.new", "body": "{}"},
            ]
        )
        (old | recent).write({"state": "dead"})
        self.env.cr.execute(
            "UPDATE webhook_outgoing_message SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=3), old.id),
        )
        self.env.invalidate_all()
        wizard = (
            self.env["webhook.endpoint.recover"]
            .with_context(default_endpoint_id=self.endpoint.id)
            .create({})
        )
        # since yesterday by default: only the recent one
        self.assertEqual(wizard.dead_count, 1)
        wizard.since = fields.Datetime.now() - timedelta(days=4)
        self.assertEqual(wizard.dead_count, 2)
        result = wizard.action_recover()
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn("2", result["params"]["message"])
        self.assertEqual((old | recent).mapped("state"), ["pending", "pending"])
        self.assertEqual(self._run_outgoing_jobs(rounds=3), 2)
        self.assertEqual((old | recent).mapped("state"), ["delivered", "delivered"])

    def test_action_form_shows_the_exact_request(self):
        model = self.env["ir.model"]._get("res.partner")
        action = self.env["ir.actions.server"].create(
            {
                "name": "Send contacts",
                "model_id": model.id,
                "state": "webhook",
                "webhook_endpoint_id": self.endpoint.id,
                "webhook_payload_style": "standard",
                "webhook_event_type": "contact.changed",
                "webhook_field_ids": [
                    (6, 0, self.env["ir.model.fields"]._get("res.partner", "name").ids)
                ],
            }
        )
        self.assertTrue(action.webhook_sample_request)
        head, body = action.webhook_sample_request.split("\n\n", 1)
        lines = head.split("\n")
        self.assertEqual(lines[0], "POST /hook HTTP/1.1")
        self.assertEqual(lines[1], f"Host: 127.0.0.1:{self.receiver.port}")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["Content-Length"], str(len(body.encode())))
        self.assertTrue(headers["webhook-id"].startswith("msg_"))
        # the signature is that of this very body
        get_scheme("standard").verify(
            {name.lower(): value for name, value in headers.items()},
            body.encode(),
            [self.endpoint.sudo().signing_secret],
        )
        document = json.loads(body)
        self.assertEqual(document["type"], "contact.changed")
        self.assertEqual(set(document), {"type", "timestamp", "data"})
        self.assertIn("name", document["data"])

        # without an endpoint: core's sample, no request
        action.webhook_endpoint_id = False
        self.assertFalse(action.webhook_sample_request)
        self.assertTrue(action.webhook_sample_payload)

    def test_action_form_with_an_endpoint_hides_the_url(self):
        form = Form(self.env["ir.actions.server"], view="base.view_server_action_form")
        form.name = "Send contacts"
        form.model_id = self.env["ir.model"]._get("res.partner")
        form.state = "webhook"
        self.assertFalse(form._get_modifier("webhook_url", "invisible"))
        self.assertTrue(form._get_modifier("webhook_event_type", "invisible"))
        form.webhook_endpoint_id = self.endpoint
        self.assertTrue(form._get_modifier("webhook_url", "invisible"))
        self.assertFalse(form._get_modifier("webhook_event_type", "invisible"))
        self.assertIn("webhook-signature: v1,", form.webhook_sample_request)
        action = form.save()
        self.assertEqual(action.webhook_payload_style, "odoo")
        self.assertFalse(action.webhook_url)
