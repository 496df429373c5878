# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A webhook set up and tried from the Webhooks menu, in a browser.

The tour (static/tests/tours/webhook_automation_tour.js) creates a webhook on
Contact that finds its target by Reference and sets its Job Position, dry-runs
then sends a payload from the Test tab, finds the call in the logs, pauses
and resumes it, and rotates the secret; this test prepares the contact and
checks the database.
"""

from unittest.mock import patch

from .common import WebhookCase


class TestUiTour(WebhookCase):
    def test_webhook_created_tried_and_rotated_in_the_ui(self):
        partner = self.env["res.partner"].create(
            {"name": "Tour Customer", "ref": "T-1"}
        )
        Automation = self.registry["base.automation"]
        rotate = Automation.action_rotate_webhook_uuid
        urls_before_rotation = []

        def spy_rotate(automations):
            urls_before_rotation.extend(automations.mapped("url"))
            return rotate(automations)

        pause = Automation.action_webhook_pause
        paused_states = []

        def spy_pause(automations):
            result = pause(automations)
            paused_states.extend(
                automations.mapped(
                    lambda rule: (rule.webhook_paused, rule.webhook_pause_reason)
                )
            )
            return result

        with (
            patch.object(Automation, "action_rotate_webhook_uuid", spy_rotate),
            patch.object(Automation, "action_webhook_pause", spy_pause),
        ):
            self.start_tour(
                "/odoo/action-webhook_automation.base_automation_action_webhook",
                "webhook_automation_tour",
                login="admin",
            )
        self.env.invalidate_all()

        rule = self.env["base.automation"].search([("name", "=", "Tour webhook")])
        self.assertEqual(len(rule), 1)
        # paused by hand, then resumed
        self.assertEqual(paused_states, [(True, "manual")])
        self.assertEqual(
            (rule.webhook_paused, rule.webhook_pause_reason), (False, False)
        )
        self.assertEqual(rule.trigger, "on_webhook")
        self.assertEqual(rule.model_id.model, "res.partner")
        self.assertEqual(rule.webhook_target_mode, "field")
        self.assertEqual(rule.webhook_target_field_id.name, "ref")
        self.assertEqual(rule.webhook_target_payload_key, "customer.ref")
        self.assertFalse(rule.record_getter)
        action = rule.action_server_ids
        self.assertEqual(len(action), 1)
        self.assertEqual(action.state, "object_write")
        self.assertEqual(action.update_path, "function")
        self.assertEqual(action.value, "Webhook tested")

        # the dry run changed nothing, the real call did
        self.assertEqual(partner.function, "Webhook tested")
        logs = self.env["webhook.call.log"].search([("automation_id", "=", rule.id)])
        self.assertEqual(len(logs), 1)
        self.assertTrue(logs.from_console)
        self.assertEqual(logs.status_code, 200)
        self.assertEqual(logs.state, "done")
        self.assertEqual(logs.target_model, "res.partner")
        self.assertEqual(logs.target_ids, str(partner.id))
        self.assertEqual(rule.webhook_test_result_kind, "real")

        # the secret was rotated once: the URL changed, the old one is dead
        self.assertEqual(len(urls_before_rotation), 1)
        old_url = urls_before_rotation[0]
        self.assertIn("/web/hook/", rule.url)
        self.assertNotEqual(rule.url, old_url)
        response = self._call(old_url, json={"customer": {"ref": "T-1"}})
        self.assertWebhookError(response, 404, "not_found")
