# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A Create/Update from Payload action set up from a sample, in a browser.

The tour (static/tests/tours/webhook_automation_mapping_tour.js) adds the
action to a webhook on Contact, maps the sample's name, email and phone with
Suggest Mappings, matches contacts by email, checks the preview, then
dry-runs the payload from the Test tab; this test creates the webhook and
checks that only the action and its mapping were written.
"""

import json

from .common import WebhookCase

# the contact of Odoo's documentation on webhooks
SAMPLE = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+32 2 555 01 01",
}


class TestUiMappingTour(WebhookCase):
    def test_mapping_suggested_from_the_sample_and_dry_run_in_the_ui(self):
        rule = self._create_webhook(
            name="Mapping tour webhook",
            record_getter=False,
            webhook_test_payload=json.dumps(SAMPLE, indent=2),
        )
        self.assertEqual(rule.webhook_target_mode, "none")

        self.start_tour(
            f"/odoo/action-webhook_automation.base_automation_action_webhook/{rule.id}",
            "webhook_automation_mapping_tour",
            login="admin",
        )
        self.env.invalidate_all()

        action = rule.action_server_ids
        self.assertEqual(len(action), 1)
        self.assertEqual(action.state, "webhook_upsert")
        self.assertEqual(action.crud_model_id.model, "res.partner")
        self.assertEqual(action.webhook_upsert_mode, "create_or_update")
        self.assertEqual(action.webhook_match_field_id.name, "email")
        self.assertEqual(action.webhook_match_path, "email")
        self.assertEqual(json.loads(action.webhook_upsert_sample), SAMPLE)
        lines = action.webhook_mapping_ids
        self.assertEqual(
            [(line.field_id.name, line.source, line.path) for line in lines],
            [
                ("name", "path", "name"),
                ("email", "path", "email"),
                ("phone", "path", "phone"),
            ],
        )
        self.assertFalse(lines.child_ids)

        # the dry run answered 200 with the created contact, and kept nothing
        self.assertEqual(rule.webhook_test_result_kind, "dry_run")
        self.assertEqual(rule.webhook_test_result_status, 200)
        changes = json.loads(rule.webhook_test_result_changes)
        self.assertIn(
            ("create", "res.partner", "Ada Lovelace"),
            [(c["operation"], c["model"], c["name"]) for c in changes],
        )
        self.assertFalse(
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("email", "=", "ada@example.com")])
        )
        self.assertFalse(
            self.env["webhook.call.log"].search([("automation_id", "=", rule.id)])
        )
