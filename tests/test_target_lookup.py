# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Finding the target by a field, without code; data in answers."""

import json

from odoo.exceptions import ValidationError

from .common import WebhookCase

SET_REF = "record.write({'ref': payload.get('ref', 'done')})"


class TestTargetByField(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Lookup Co"})
        cls.ada = cls.env["res.partner"].create(
            {"name": "Ada", "email": "ada@example.com", "company_id": cls.company.id}
        )
        cls.bob = cls.env["res.partner"].create(
            {"name": "Bob", "email": "Bob@Example.com", "color": 7}
        )

    def _rule(self, field, key, code=SET_REF):
        return self._create_webhook(
            webhook_target_field_id=self.env["ir.model.fields"]
            ._get("res.partner", field)
            .id,
            webhook_target_payload_key=key,
            actions=[self._code_action(code)],
        )

    def test_char_field_exact_match(self):
        rule = self._rule("email", "customer.email")
        self.assertEqual(rule.webhook_target_mode, "field")
        self.assertWebhookOk(
            self._call(
                rule, json={"customer": {"email": "ada@example.com"}, "ref": "A"}
            )
        )
        self.assertEqual(self.ada.ref, "A")
        self.assertEqual(self._last_log(rule).target_ids, str(self.ada.id))
        # exact and case-sensitive: no match, nothing changed
        for email in ("ADA@example.com", "ada@example.com ", "bob@example.com"):
            with self.subTest(email=email):
                response = self._call(rule, json={"customer": {"email": email}})
                self.assertWebhookError(response, 422, "target_not_found")
        self.assertFalse(self.bob.ref)

    def test_integer_field_takes_numbers_and_numeric_strings(self):
        rule = self._rule("color", "color")
        for value in (7, "7", " 7 ", 7.0):
            with self.subTest(value=value):
                self.bob.ref = False
                self.assertWebhookOk(self._call(rule, json={"color": value}))
                self.assertEqual(self.bob.ref, "done")
        for value in ("seven", 7.5, True, None, [7], {"v": 7}, "99999999999"):
            with self.subTest(value=value):
                response = self._call(rule, json={"color": value})
                self.assertWebhookError(response, 422, "target_not_found")

    def test_many2one_field_and_dotted_path(self):
        rule = self._rule("company_id", "data.object.metadata.odoo_ref")
        payload = {"data": {"object": {"metadata": {"odoo_ref": str(self.company.id)}}}}
        self.assertWebhookOk(self._call(rule, json=payload))
        self.assertEqual(self.ada.ref, "done")
        self.assertFalse(self.bob.ref)
        missing = self._call(rule, json={"data": {"object": {}}})
        body = self.assertWebhookError(missing, 422, "target_not_found")
        self.assertIn("data.object.metadata.odoo_ref", body["error"]["message"])

    def test_every_match_is_a_target(self):
        self.env["res.partner"].create({"name": "Ada", "email": "ada2@example.com"})
        rule = self._rule("name", "name")
        self.assertWebhookOk(self._call(rule, json={"name": "Ada"}))
        self.assertEqual(
            self.env["res.partner"].search([("name", "=", "Ada")]).mapped("ref"),
            ["done", "done"],
        )

    def test_seed_sale_order_case_without_code(self):
        """The seed's first use case, matching Order Reference with "order"."""
        order = self.env["sale.order"].create(
            {"partner_id": self.bob.id, "name": "S00007"}
        )
        usd = self.env.ref("base.USD")
        usd.active = True
        currency_field = self.env["ir.model.fields"]._get("sale.order", "currency_id")
        rule = self._create_webhook(
            model="sale.order",
            webhook_target_field_id=self.env["ir.model.fields"]
            ._get("sale.order", "name")
            .id,
            webhook_target_payload_key="order",
            actions=[
                {
                    "state": "object_write",
                    "update_path": "currency_id",
                    "update_field_id": currency_field.id,
                    "evaluation_type": "value",
                    "value": str(usd.id),
                }
            ],
        )
        self.assertWebhookOk(self._call(rule, json={"order": "S00007"}))
        self.assertEqual(order.currency_id, usd)

    def test_the_three_choices(self):
        rule = self._rule("email", "email")
        rule.webhook_target_mode = "expression"
        self.assertFalse(rule.webhook_target_field_id)
        rule.record_getter = f"model.browse({self.bob.id})"
        self.assertEqual(rule.webhook_target_mode, "expression")
        self.assertWebhookOk(self._call(rule, json={}))
        self.assertEqual(self.bob.ref, "done")
        rule.webhook_target_mode = "none"
        self.assertFalse(rule.record_getter)
        self.assertEqual(rule.webhook_target_mode, "none")

    def test_the_field_must_belong_to_the_model(self):
        with self.assertRaises(ValidationError):
            self._create_webhook(
                webhook_target_field_id=self.env["ir.model.fields"]
                ._get("sale.order", "name")
                .id,
                webhook_target_payload_key="order",
            )


class TestResponseData(WebhookCase):
    def test_code_actions_answer_with_data(self):
        rule = self._create_webhook(
            record_getter=False,
            log_webhook_calls=True,
            actions=[
                self._code_action(
                    "partner = env['res.partner'].create({'name': payload['name']})\n"
                    "response = {'partner_id': partner.id, "
                    "'day': datetime.date(2026, 11, 28), "
                    "'at': datetime.datetime(2026, 1, 2, 3, 4)}"
                )
            ],
        )
        body = self.assertWebhookOk(self._call(rule, json={"name": "Answered"}))
        partner = self.env["res.partner"].search([("name", "=", "Answered")])
        self.assertEqual(
            body["data"],
            {
                "partner_id": partner.id,
                "day": "2026-11-28",
                "at": "2026-01-02T03:04:00",
            },
        )
        self.assertEqual(
            json.loads(self._last_log(rule).response_body)["data"], body["data"]
        )

    def test_without_response_no_data(self):
        rule = self._create_webhook(
            record_getter=False,
            actions=[self._code_action("env['res.partner'].create({'name': 'x'})")],
        )
        self.assertNotIn("data", self.assertWebhookOk(self._call(rule, json={})))

    def test_unserializable_response_is_a_500_and_rolls_back(self):
        rule = self._create_webhook(
            record_getter=False,
            log_webhook_calls=True,
            actions=[
                self._code_action(
                    "partner = env['res.partner'].create({'name': 'Rolled back'})\n"
                    "response = {'partner': partner}"
                )
            ],
        )
        response = self._call(rule, json={})
        body = self.assertWebhookError(response, 500, "internal_error")
        self.assertNotIn("res.partner", body["error"]["message"])
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Rolled back")]))
        log = self._last_log(rule)
        self.assertIn("not JSON serializable", log.error_message)
