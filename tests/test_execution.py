# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Target records, actions, error statuses and all-or-nothing execution."""

from .common import SEED_TARGET_RECORD, WebhookCase


class TestExecution(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Target", "ref": "T-1"})

    def _partner_webhook(self, code, **values):
        values.setdefault("record_getter", SEED_TARGET_RECORD)
        return self._create_webhook(actions=[self._code_action(code)], **values)

    def _seed_payload(self, record):
        return {"model": record._name, "id": record.id}

    def test_default_target_record_is_core_one(self):
        rule = self._create_webhook(
            actions=[self._code_action("record.write({'ref': 'by-default'})")]
        )
        self.assertEqual(
            rule.record_getter,
            "model.env[payload.get('_model')].browse(int(payload.get('_id')))",
        )
        response = self._call(
            rule, json={"_model": "res.partner", "_id": self.partner.id}
        )
        self.assertWebhookOk(response)
        self.assertEqual(self.partner.ref, "by-default")

    def test_target_not_found_is_422(self):
        rule = self._partner_webhook("record.write({'ref': 'changed'})")
        response = self._call(rule, json={"model": "res.partner", "id": 999999999})
        self.assertWebhookError(response, 422, "target_not_found")
        # a payload the expression cannot use: also the caller's problem
        response = self._call(rule, json={"model": "res.partner"})
        body = self.assertWebhookError(response, 422, "target_not_found")
        self.assertIn("int()", body["error"]["message"])
        search_rule = self._partner_webhook(
            "record.write({'ref': 'changed'})",
            record_getter="model.search([('ref', '=', payload.get('ref'))])",
        )
        response = self._call(search_rule, json={"ref": "nope"})
        self.assertWebhookError(response, 422, "target_not_found")
        response = self._call(search_rule, json={"ref": "T-1"})
        self.assertWebhookOk(response)
        self.assertEqual(self.partner.ref, "changed")

    def test_cross_model_target_is_refused(self):
        """A partner id sent to a sale order webhook must not touch order #id."""
        order = self.env["sale.order"].create({"partner_id": self.partner.id})
        eur = self.env.ref("base.EUR")
        eur.active = True
        rule = self._create_webhook(
            model="sale.order",
            record_getter=SEED_TARGET_RECORD,
            actions=[self._code_action(f"record.write({{'currency_id': {eur.id}}})")],
        )
        currency = order.currency_id
        response = self._call(rule, json={"model": "res.partner", "id": order.id})
        body = self.assertWebhookError(response, 422, "target_model_mismatch")
        self.assertIn("sale.order", body["error"]["message"])
        self.assertEqual(order.currency_id, currency)
        # something that is not a recordset at all
        rule.record_getter = "payload.get('id')"
        response = self._call(rule, json={"id": order.id})
        self.assertWebhookError(response, 422, "target_model_mismatch")

    def test_several_target_records(self):
        other = self.env["res.partner"].create({"name": "Other", "ref": "T-1"})
        rule = self._partner_webhook(
            "records.write({'function': 'seen'})",
            record_getter="model.search([('ref', '=', payload['ref'])])",
        )
        self.assertWebhookOk(self._call(rule, json={"ref": "T-1"}))
        self.assertEqual((self.partner | other).mapped("function"), ["seen", "seen"])
        log = self._last_log(rule)
        self.assertEqual(log.target_model, "res.partner")
        self.assertEqual(set(log._get_target_ids()), {self.partner.id, other.id})

    def test_payload_is_always_a_dict(self):
        rule = self._create_webhook(
            record_getter="model.browse(payload.get('id', %d))" % self.partner.id,
            actions=[
                self._code_action(
                    "record.write({'function': '%s:%s' % "
                    "(isinstance(payload, dict), len(payload))})"
                )
            ],
        )
        self.assertWebhookOk(self._call(rule))
        self.assertEqual(self.partner.function, "True:0")

    def test_value_error_is_422_with_its_message(self):
        rule = self._partner_webhook(
            "record.write({'ref': 'written'})\n"
            "if not payload.get('email'):\n"
            "    raise ValueError('email is required')\n"
        )
        response = self._call(rule, json=self._seed_payload(self.partner))
        self.assertWebhookError(response, 422, "action_failed", "email is required")
        self.assertEqual(
            self.partner.ref, "T-1", "the write before the error is undone"
        )

    def test_user_and_validation_errors_are_422(self):
        for exc_class in ("UserError", "ValidationError"):
            rule = self._partner_webhook(
                f"raise {exc_class}('refused: ' + payload['why'])"
            )
            payload = dict(self._seed_payload(self.partner), why=exc_class)
            response = self._call(rule, json=payload)
            self.assertWebhookError(
                response, 422, "action_failed", f"refused: {exc_class}"
            )

    def test_orm_validation_error_is_422(self):
        rule = self._partner_webhook(
            "record.write({'email': 'a@b.c', 'parent_id': record.id})"
        )
        response = self._call(rule, json=self._seed_payload(self.partner))
        self.assertWebhookError(response, 422, "action_failed")
        self.assertFalse(self.partner.email)

    def test_exception_raised_on_purpose_is_422(self):
        rule = self._partner_webhook(
            "if payload.get('qty', 0) < 0:\n"
            "    raise KeyError('qty must be positive')\n"
        )
        response = self._call(rule, json=dict(self._seed_payload(self.partner), qty=-1))
        self.assertWebhookError(response, 422, "action_failed", "qty must be positive")

    def test_unexpected_error_is_500_without_details(self):
        rule = self._partner_webhook(
            "record.write({'ref': 'half-done'})\nundefined_name + 1",
            log_webhook_calls=True,
        )
        response = self._call(rule, json=self._seed_payload(self.partner))
        body = self.assertWebhookError(response, 500, "internal_error")
        message = body["error"]["message"]
        self.assertIn(body["request_id"], message)
        self.assertNotIn("undefined_name", response.text)
        self.assertNotIn("Traceback", response.text)
        self.assertEqual(self.partner.ref, "T-1")
        log = self._last_log(rule)
        self.assertEqual(log.request_id, body["request_id"])
        self.assertEqual(log.status_code, 500)
        self.assertEqual(log.error_type, "NameError")
        self.assertIn("undefined_name", log.error_traceback)

    def test_atomic_across_actions(self):
        rule = self._create_webhook(
            record_getter=SEED_TARGET_RECORD,
            log_webhook_calls=True,
            actions=[
                self._code_action("record.write({'ref': 'first action'})"),
                self._code_action(
                    "env['res.partner'].create({'name': 'Created by 2nd'})"
                ),
                self._code_action("raise UserError('third action refuses')"),
            ],
        )
        partner_count = self.env["res.partner"].search_count([])
        response = self._call(rule, json=self._seed_payload(self.partner))
        self.assertWebhookError(response, 422, "action_failed", "third action refuses")
        self.assertEqual(self.partner.ref, "T-1")
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
        log = self._last_log(rule)
        self.assertEqual(log.status_code, 422)
        self.assertEqual(log.error_message, "third action refuses")
        # the next call sees a clean state and succeeds
        rule.action_server_ids.filtered(lambda a: "refuses" in a.code).unlink()
        self.assertWebhookOk(self._call(rule, json=self._seed_payload(self.partner)))
        self.assertEqual(self.partner.ref, "first action")
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count + 1)

    def test_empty_target_runs_actions_once(self):
        rule = self._create_webhook(
            record_getter=False,
            actions=[
                {
                    "state": "object_create",
                    "crud_model_id": self.env["ir.model"]._get("res.partner").id,
                    "value": "Made by create action",
                },
                self._code_action(
                    "env['res.partner'].create("
                    "{'name': 'Made by code ' + payload['n']})"
                ),
            ],
        )
        self.assertWebhookOk(self._call(rule, json={"n": "1"}))
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner.search_count([("name", "=", "Made by create action")]), 1
        )
        self.assertEqual(Partner.search_count([("name", "=", "Made by code 1")]), 1)
        self.assertFalse(self._last_log(rule).target_ids)

    def test_invalid_target_expression_is_refused_on_save(self):
        with self.assertRaisesRegex(Exception, "not a valid Python expression"):
            self._create_webhook(record_getter="model.browse(")
