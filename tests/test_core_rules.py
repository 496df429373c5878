# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhooks made with core's Automation Rules, before and after the install."""

from odoo.tools.safe_eval import safe_eval

from odoo.addons.webhook_automation.hooks import pre_init_hook

from .common import WebhookCase, WebhookTransactionCase

# scripts/test creates this rule with core's base_automation before it
# installs webhook_automation, and stores its secret in this parameter
PREINSTALL_SECRET_PARAM = "webhook_automation_test.preinstall_uuid"


class TestCoreRules(WebhookCase):
    def test_rule_created_before_install_keeps_its_url_and_gets_new_behaviour(self):
        secret = self.env["ir.config_parameter"].get_param(PREINSTALL_SECRET_PARAM)
        self.assertTrue(secret, "scripts/test creates a rule before the install")
        rule = self.env["base.automation"].search([("webhook_uuid", "=", secret)])
        self.assertEqual(len(rule), 1)
        self.assertEqual(rule.url, f"{self.base_url()}/web/hook/{secret}")
        partner = self.env["res.partner"].create({"name": "Pre-install target"})
        payload = {"_model": "res.partner", "_id": partner.id}
        body = self.assertWebhookOk(self._call(rule, json=payload))
        self.assertIn("request_id", body, "served by webhook_automation")
        self.assertEqual(partner.comment, "<p>core rule ran</p>")
        # GET keeps working for rules that existed before the install
        self.assertTrue(rule.webhook_allow_get)
        partner.comment = False
        self.assertWebhookOk(self._call(rule, method="GET", params=payload))
        self.assertEqual(partner.comment, "<p>core rule ran</p>")
        # and errors now say what is wrong
        response = self._call(rule, json={"_model": "res.partner", "_id": 0})
        self.assertWebhookError(response, 422, "target_not_found")


class TestCoreRulesInstall(WebhookTransactionCase):
    """The install hook and the menus shared with core's Automation Rules."""

    def test_install_hook_enables_get_on_existing_webhooks_only(self):
        webhook = self._create_webhook()
        other = self.env["base.automation"].create(
            {
                "name": "Not a webhook",
                "model_id": self.env["ir.model"]._get("res.partner").id,
                "trigger": "on_create_or_write",
            }
        )
        self.assertFalse(webhook.webhook_allow_get)
        self.env.flush_all()
        pre_init_hook(self.env)
        self.env.invalidate_all()
        self.assertTrue(webhook.webhook_allow_get)
        self.assertFalse(other.webhook_allow_get)

    def test_rules_are_shared_with_core_automation_menu(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "webhook_automation.base_automation_action_webhook"
        )
        Rule = self.env["base.automation"].with_context(**safe_eval(action["context"]))
        from_webhooks_menu = Rule.create(
            {
                "name": "From Webhooks",
                "model_id": self.env["ir.model"]._get("res.partner").id,
            }
        )
        self.assertEqual(from_webhooks_menu.trigger, "on_webhook")
        self.assertTrue(
            from_webhooks_menu.url.endswith(from_webhooks_menu.webhook_uuid)
        )
        from_core_menu = self.env["base.automation"].create(
            {
                "name": "From Automation Rules",
                "model_id": self.env["ir.model"]._get("res.partner").id,
                "trigger": "on_webhook",
            }
        )
        listed = self.env["base.automation"].search(safe_eval(action["domain"]))
        self.assertIn(from_webhooks_menu, listed)
        self.assertIn(from_core_menu, listed)
        core_action = self.env["ir.actions.act_window"]._for_xml_id(
            "base_automation.base_automation_act"
        )
        core_listed = self.env["base.automation"].search(
            safe_eval(core_action.get("domain") or "[]")
        )
        self.assertIn(from_webhooks_menu, core_listed)
