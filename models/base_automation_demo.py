# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo webhooks: the two examples of Odoo's webhook documentation."""

from odoo import Command, _, api, models

# the two examples of Odoo's webhook documentation, used as demo data
DEMO_TARGET_RECORD = "model.env[payload.get('model')].browse(int(payload.get('id')))"
DEMO_CREATE_CONTACT_CODE = """\
# variables to retrieve and hold data from the payload
contact_name = payload.get('name')
contact_email = payload.get('email')
contact_phone = payload.get('phone')
# a Python function to turn the variables into a contact in Odoo
if contact_name and contact_email:
    new_partner = env['res.partner'].create({
        'name': contact_name,
        'email': contact_email,
        'phone': contact_phone,
        'company_type':'person',
        'customer_rank': 1,
    })
# an error message for missing required data in the payload
else:
    raise ValueError("Missing required fields: 'name' and 'email'")
"""


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    @api.model
    def _webhook_create_demo_rules(self):
        """Create the two webhooks of Odoo's documentation (demo data), once."""
        rules = self.browse()
        partner_model = self.env["ir.model"]._get("res.partner")
        rules |= self._webhook_create_demo_rule(
            "demo_webhook_create_contact",
            {
                "name": _("Create a contact"),
                "model_id": partner_model.id,
                "record_getter": False,
            },
            {
                "name": _("Create the contact from the payload"),
                "state": "code",
                "code": DEMO_CREATE_CONTACT_CODE,
            },
        )
        order_model = self.env["ir.model"]._get("sale.order")
        usd = self.env.ref("base.USD", raise_if_not_found=False)
        if order_model and usd:
            currency_field = self.env["ir.model.fields"]._get(
                "sale.order", "currency_id"
            )
            rules |= self._webhook_create_demo_rule(
                "demo_webhook_sale_order_currency",
                {
                    "name": _("Update sale order currency to USD"),
                    "model_id": order_model.id,
                    "record_getter": DEMO_TARGET_RECORD,
                },
                {
                    "name": _("Set the currency to USD"),
                    "state": "object_write",
                    "update_path": "currency_id",
                    "update_field_id": currency_field.id,
                    "evaluation_type": "value",
                    "value": str(usd.id),
                },
            )
        return rules

    @api.model
    def _webhook_create_demo_rule(self, xml_name, rule_values, action_values):
        """Create one demo webhook with one action, unless it exists already."""
        xml_id = f"webhook_automation.{xml_name}"
        existing = self.env.ref(xml_id, raise_if_not_found=False)
        if existing:
            return existing
        action_values = {
            "model_id": rule_values["model_id"],
            "usage": "base_automation",
            **action_values,
        }
        rule = self.create(
            {
                "trigger": "on_webhook",
                "log_webhook_calls": True,
                "action_server_ids": [Command.create(action_values)],
                **rule_values,
            }
        )
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": xml_id, "record": rule, "noupdate": True}]
        )
        return rule
