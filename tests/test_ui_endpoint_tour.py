# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An outgoing endpoint created and tested from the Webhooks menu, in a browser.

The tour (static/tests/tours/webhook_automation_endpoint_tour.js) creates an
endpoint to a receiver on 127.0.0.1, sends a test event and reads the
result; this test starts the receiver, tells the tour its URL (a system
parameter) and checks that one signed request arrived and was logged.
"""

import json

from ..receiver.signatures import get_scheme
from .common import WebhookCase
from .outgoing_receiver import Receiver


class TestUiEndpointTour(WebhookCase):
    def test_endpoint_created_and_tested_in_the_ui(self):
        receiver = Receiver().start()
        self.addCleanup(receiver.stop)
        self.env["ir.config_parameter"].sudo().set_param(
            "webhook_automation.tour_receiver_url", receiver.url()
        )

        self.start_tour(
            "/odoo/action-webhook_automation.webhook_endpoint_action",
            "webhook_automation_endpoint_tour",
            login="admin",
        )
        self.env.invalidate_all()

        endpoint = self.env["webhook.endpoint"].search([("name", "=", "Tour receiver")])
        self.assertEqual(len(endpoint), 1)
        self.assertEqual(endpoint.url, receiver.url())
        self.assertEqual(endpoint.allowed_private_networks, "127.0.0.0/8")
        self.assertEqual(endpoint.state, "enabled")

        # one request, signed with the endpoint's secret
        self.assertEqual(len(receiver.requests), 1)
        request = receiver.requests[0]
        headers = {name.lower(): value for name, value in request.headers.items()}
        get_scheme("standard").verify(
            headers, request.body, [endpoint.sudo().signing_secret]
        )
        self.assertEqual(json.loads(request.body)["type"], "webhook.test")

        # stored as a message like any other, its attempt marked test
        message = self.env["webhook.outgoing.message"].search(
            [("endpoint_id", "=", endpoint.id)]
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.event_type, "webhook.test")
        self.assertEqual(headers["webhook-id"], message.message_id)
        self.assertEqual(request.body.decode(), message.body)
        attempt = message.attempt_ids
        self.assertEqual(len(attempt), 1)
        self.assertEqual(attempt.trigger, "test")
        self.assertEqual(attempt.status_code, 200)

        # resent from its form: queued again, as a manual attempt
        self.assertEqual(message.state, "pending")
        jobs = self.env["queue.job"].search(
            [
                ("model_name", "=", "webhook.outgoing.message"),
                ("method_name", "=", "_webhook_deliver"),
                ("state", "=", "pending"),
            ]
        )
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.records, message)
        self.assertEqual(list(jobs.args), [message.job_token, "manual"])
