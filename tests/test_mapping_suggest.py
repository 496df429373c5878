# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Suggest Mappings: the sample's paths, the fields named like them, added."""

import json

from odoo.exceptions import UserError

from .common import WebhookTransactionCase

SAMPLE = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+32 2 555 01 01",
    "company": {"vat": "BE0477472701"},
    "tags": ["vip", "press"],
    "note": "x" * 200,
}


class TestMappingSuggest(WebhookTransactionCase):
    def _action(self, sample=None, **values):
        rule = self._create_webhook(
            record_getter=False,
            actions=[
                self._upsert_action(
                    webhook_upsert_sample=json.dumps(
                        SAMPLE if sample is None else sample
                    ),
                    **values,
                )
            ],
        )
        return rule.action_server_ids

    def _suggest(self, action):
        result = action.action_webhook_suggest_mappings()
        self.assertEqual(result["res_model"], "webhook.mapping.suggest")
        self.assertEqual(result["target"], "new")
        return self.env["webhook.mapping.suggest"].browse(result["res_id"])

    def _rows(self, wizard):
        return [
            (line.path, line.value, line.field_id.name, line.selected)
            for line in wizard.line_ids
        ]

    def test_lines_are_the_sample_paths_with_the_fields_named_like_them(self):
        wizard = self._suggest(self._action())
        self.assertEqual(
            self._rows(wizard),
            [
                ("name", '"Ada Lovelace"', "name", True),
                ("email", '"ada@example.com"', "email", True),
                ("phone", '"+32 2 555 01 01"', "phone", True),
                ("company.vat", '"BE0477472701"', "vat", True),
                # by its label, Tags
                ("tags", '["vip", "press"]', "category_id", True),
                ("note", '"' + "x" * 76 + "...", False, False),
            ],
        )
        self.assertEqual(wizard.model_id.model, "res.partner")

    def test_add_mappings_adds_the_selected_paths_with_a_field(self):
        action = self._action()
        wizard = self._suggest(action)
        comment = self.env["ir.model.fields"]._get("res.partner", "comment")
        note = wizard.line_ids.filtered(lambda line: line.path == "note")
        note.write({"field_id": comment.id, "selected": True})
        wizard.line_ids.filtered(
            lambda line: line.path == "company.vat"
        ).selected = False
        result = wizard.action_add_mappings()
        self.assertEqual(result, {"type": "ir.actions.act_window_close"})
        self.assertEqual(
            [
                (line.field_id.name, line.source, line.path)
                for line in action.webhook_mapping_ids
            ],
            [
                ("name", "path", "name"),
                ("email", "path", "email"),
                ("phone", "path", "phone"),
                ("category_id", "path", "tags"),
                ("comment", "path", "note"),
            ],
        )

    def test_fields_already_mapped_are_not_selected_nor_added_twice(self):
        action = self._action(mappings=[{"field": "email", "path": "contact.email"}])
        wizard = self._suggest(action)
        email = wizard.line_ids.filtered(lambda line: line.path == "email")
        self.assertEqual(email.field_id.name, "email")
        self.assertTrue(email.mapped)
        self.assertFalse(email.selected)
        email.selected = True
        wizard.action_add_mappings()
        self.assertEqual(
            [(line.field_id.name, line.path) for line in action.webhook_mapping_ids],
            [
                ("email", "contact.email"),
                ("name", "name"),
                ("phone", "phone"),
                ("vat", "company.vat"),
                ("category_id", "tags"),
            ],
        )

    def test_items_path_lists_the_first_item(self):
        sample = {"contacts": [{"email": "a@example.com"}, {"email": "b@example.com"}]}
        wizard = self._suggest(self._action(sample, webhook_items_path="contacts"))
        self.assertEqual(
            self._rows(wizard), [("email", '"a@example.com"', "email", True)]
        )

    def test_selected_paths_without_a_field_are_refused(self):
        wizard = self._suggest(self._action({"zzz": 1}))
        wizard.line_ids.selected = True
        with self.assertRaisesRegex(UserError, "choose a field"):
            wizard.action_add_mappings()
        wizard.line_ids.selected = False
        self.assertEqual(
            wizard.action_add_mappings(), {"type": "ir.actions.act_window_close"}
        )

    def test_no_sample_no_suggestion(self):
        action = self._action({})
        with self.assertRaises(UserError):
            action.action_webhook_suggest_mappings()
