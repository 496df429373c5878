# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The two use cases of Odoo's webhook documentation, as Postman runs them."""

from .common import SEED_CREATE_CONTACT_CODE, SEED_TARGET_RECORD, WebhookCase


class TestSeedUseCases(WebhookCase):
    def test_use_case_1_update_sale_order_currency(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        eur = self.env.ref("base.EUR")
        eur.active = True
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR pricelist", "currency_id": eur.id}
        )
        customer = self.env["res.partner"].create({"name": "Subsidiary customer"})
        order = self.env["sale.order"].create(
            {"partner_id": customer.id, "pricelist_id": pricelist.id}
        )
        other_order = self.env["sale.order"].create(
            {"partner_id": customer.id, "pricelist_id": pricelist.id}
        )
        self.assertEqual(order.currency_id, eur)
        sale_order_model = self.env["ir.model"]._get("sale.order")
        currency_field = self.env["ir.model.fields"]._get("sale.order", "currency_id")
        rule = self._create_webhook(
            model="sale.order",
            name="Update sale order currency to USD",
            record_getter=SEED_TARGET_RECORD,
            actions=[
                {
                    "state": "object_write",
                    "model_id": sale_order_model.id,
                    "update_path": "currency_id",
                    "update_field_id": currency_field.id,
                    "evaluation_type": "value",
                    "resource_ref": f"res.currency,{usd.id}",
                    "value": str(usd.id),
                }
            ],
        )
        # the documentation sends the id as a string: "id": "7"
        response = self._call(rule, json={"model": "sale.order", "id": str(order.id)})
        self.assertWebhookOk(response)
        self.assertEqual(order.currency_id, usd)
        self.assertEqual(other_order.currency_id, eur)

    def test_use_case_2_create_contact_with_verbatim_code(self):
        rule = self._create_webhook(
            model="res.partner",
            name="Create a contact",
            record_getter=False,
            actions=[self._code_action(SEED_CREATE_CONTACT_CODE)],
        )
        payload = {
            "name": "Jane Webhook",
            "email": "jane.webhook@example.com",
            "phone": "+32 470 00 00 00",
        }
        response = self._call(rule, json=payload)
        self.assertWebhookOk(response)
        contact = self.env["res.partner"].search([("email", "=", payload["email"])])
        self.assertEqual(len(contact), 1)
        self.assertEqual(contact.name, "Jane Webhook")
        self.assertEqual(contact.phone, "+32 470 00 00 00")
        self.assertEqual(contact.company_type, "person")
        self.assertEqual(contact.customer_rank, 1)

    def test_use_case_2_missing_email_is_422_with_the_code_message(self):
        rule = self._create_webhook(
            record_getter=False,
            actions=[self._code_action(SEED_CREATE_CONTACT_CODE)],
        )
        count = self.env["res.partner"].search_count([])
        response = self._call(rule, json={"name": "No Email", "phone": "123"})
        self.assertWebhookError(
            response,
            422,
            "action_failed",
            "Missing required fields: 'name' and 'email'",
        )
        self.assertEqual(self.env["res.partner"].search_count([]), count)

    def test_use_case_2_with_odoo_placeholder_target(self):
        """The documentation's model.browse([2]) placeholder still works."""
        rule = self._create_webhook(
            record_getter="model.browse([2])",
            actions=[self._code_action(SEED_CREATE_CONTACT_CODE)],
        )
        self.assertTrue(self.env["res.partner"].browse(2).exists())
        response = self._call(
            rule, json={"name": "Placeholder", "email": "p@example.com"}
        )
        self.assertWebhookOk(response)
        self.assertTrue(
            self.env["res.partner"].search([("email", "=", "p@example.com")])
        )

    def test_demo_webhooks_are_the_documentation_ones(self):
        rules = self.env["base.automation"]._webhook_create_demo_rules()
        self.assertEqual(
            sorted(rules.mapped("model_name")), ["res.partner", "sale.order"]
        )
        # created once: loading the demo data again changes nothing
        self.assertEqual(
            self.env["base.automation"]._webhook_create_demo_rules(), rules
        )
        contact_rule = rules.filtered(lambda r: r.model_name == "res.partner")
        response = self._call(
            contact_rule, json={"name": "Demo Contact", "email": "demo@example.com"}
        )
        self.assertWebhookOk(response)
        self.assertTrue(
            self.env["res.partner"].search([("email", "=", "demo@example.com")])
        )
        self.assertWebhookError(
            self._call(contact_rule, json={"name": "No email"}), 422, "action_failed"
        )
        usd = self.env.ref("base.USD")
        eur = self.env.ref("base.EUR")
        eur.active = usd.active = True
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": eur.id}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "C"}).id,
                "pricelist_id": pricelist.id,
            }
        )
        order_rule = rules - contact_rule
        response = self._call(order_rule, json={"model": "sale.order", "id": order.id})
        self.assertWebhookOk(response)
        self.assertEqual(order.currency_id, usd)
