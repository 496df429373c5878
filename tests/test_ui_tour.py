# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A webhook created from the Webhooks menu, in a browser, then called."""

from .common import WebhookCase


class TestUiTour(WebhookCase):
    def test_create_webhook_in_the_ui_then_call_it(self):
        self.start_tour(
            "/odoo/action-webhook_automation.base_automation_action_webhook",
            "webhook_automation_create_webhook",
            login="admin",
        )
        rule = self.env["base.automation"].search([("name", "=", "Tour webhook")])
        self.assertEqual(len(rule), 1)
        self.assertEqual(rule.trigger, "on_webhook")
        self.assertEqual(rule.model_id.model, "res.partner")
        self.assertFalse(rule.record_getter)
        self.assertIn("/web/hook/", rule.url)
        self.assertEqual(len(rule.action_server_ids), 1)
        action = rule.action_server_ids
        self.assertEqual(action.state, "code")
        self.assertEqual(action.model_id.model, "res.partner")
        self.assertIn("payload.get('name', 'nobody')", action.code)

        partners = self.env["res.partner"]
        self.assertFalse(
            partners.search([("name", "=", "Created by the tour webhook")])
        )
        response = self._call(rule, json={"name": "Created by the tour webhook"})
        self.assertWebhookOk(response)
        self.assertEqual(
            partners.search_count([("name", "=", "Created by the tour webhook")]), 1
        )
        self.assertEqual(rule.webhook_call_count, 1)
