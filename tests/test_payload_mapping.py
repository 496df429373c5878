# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Create/Update from Payload: the no-code mapping, over real HTTP."""

import datetime

from odoo import Command

from .common import SEED_CREATE_CONTACT_CODE, WebhookCase, WebhookTransactionCase

CONTACT_PAYLOAD = {
    "name": "Ada Mapping",
    "email": "ada.mapping@example.com",
    "phone": "+32 2 555 01 01",
}


class TestPayloadMapping(WebhookCase):
    def _contact_webhook(
        self, webhook_mode="sync", log_webhook_calls=False, **action_values
    ):
        """The documentation's "create a contact" webhook, built without code."""
        return self._create_webhook(
            name="Create a contact (no code)",
            webhook_mode=webhook_mode,
            log_webhook_calls=log_webhook_calls,
            actions=[
                self._upsert_action(
                    mappings=[
                        {"field": "name", "path": "name", "required": True},
                        {"field": "email", "path": "email", "required": True},
                        {"field": "phone", "path": "phone"},
                        {
                            "field": "company_type",
                            "source": "fixed",
                            "fixed_value": "person",
                        },
                        {
                            "field": "customer_rank",
                            "source": "fixed",
                            "fixed_value": "1",
                        },
                    ],
                    match=("email", "email"),
                    **action_values,
                )
            ],
        )

    def _partners(self, email):
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("email", "=", email)])
        )

    # -- the documentation's contact example -------------------------------

    def test_contact_example_gives_the_contact_of_the_code_version(self):
        by_mapping = self._contact_webhook()
        by_code = self._create_webhook(
            record_getter=False, actions=[self._code_action(SEED_CREATE_CONTACT_CODE)]
        )
        body = self.assertWebhookOk(self._call(by_mapping, json=CONTACT_PAYLOAD))
        mapped = self._partners(CONTACT_PAYLOAD["email"])
        self.assertEqual(len(mapped), 1)
        self.assertEqual(
            body["data"],
            {"model": "res.partner", "created": mapped.ids, "updated": []},
        )
        other = dict(CONTACT_PAYLOAD, email="ada.code@example.com")
        self.assertWebhookOk(self._call(by_code, json=other))
        coded = self._partners(other["email"])
        for field in ("name", "phone", "company_type", "customer_rank", "is_company"):
            self.assertEqual(mapped[field], coded[field], field)

    def test_missing_email_is_422_naming_email_and_creates_nothing(self):
        rule = self._contact_webhook()
        count = self.env["res.partner"].search_count([])
        response = self._call(rule, json={"name": "No Email", "phone": "123"})
        body = self.assertWebhookError(response, 422, "mapping_missing_value")
        self.assertEqual(body["error"]["path"], "email")
        self.assertIn("email", body["error"]["message"])
        self.assertEqual(self.env["res.partner"].search_count([]), count)

    def test_same_email_twice_gives_one_contact_updated(self):
        rule = self._contact_webhook()
        first = self.assertWebhookOk(self._call(rule, json=CONTACT_PAYLOAD))
        changed = dict(CONTACT_PAYLOAD, phone="+32 2 555 99 99", name="Ada King")
        second = self.assertWebhookOk(self._call(rule, json=changed))
        contact = self._partners(CONTACT_PAYLOAD["email"])
        self.assertEqual(len(contact), 1)
        self.assertEqual(second["data"]["created"], [])
        self.assertEqual(second["data"]["updated"], first["data"]["created"])
        self.assertEqual(contact.phone, "+32 2 555 99 99")
        self.assertEqual(contact.name, "Ada King")

    def test_update_mode_without_record_is_422_no_match(self):
        rule = self._contact_webhook(webhook_upsert_mode="update")
        body = self.assertWebhookError(
            self._call(rule, json=CONTACT_PAYLOAD), 422, "mapping_no_match"
        )
        self.assertEqual(body["error"]["path"], "email")
        self.assertFalse(self._partners(CONTACT_PAYLOAD["email"]))

    def test_create_mode_creates_every_time(self):
        rule = self._contact_webhook(webhook_upsert_mode="create")
        self.assertWebhookOk(self._call(rule, json=CONTACT_PAYLOAD))
        self.assertWebhookOk(self._call(rule, json=CONTACT_PAYLOAD))
        self.assertEqual(len(self._partners(CONTACT_PAYLOAD["email"])), 2)

    def test_several_matches_are_refused_or_the_first_is_taken(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Twin {n}", "email": "twin@example.com"} for n in range(2)]
        )
        rule = self._contact_webhook()
        payload = dict(CONTACT_PAYLOAD, email="twin@example.com")
        body = self.assertWebhookError(
            self._call(rule, json=payload), 422, "mapping_ambiguous_match"
        )
        self.assertEqual(body["error"]["path"], "email")
        self.assertEqual(partners.mapped("name"), ["Twin 0", "Twin 1"])
        rule.action_server_ids.webhook_on_multiple = "first"
        body = self.assertWebhookOk(self._call(rule, json=payload))
        self.assertEqual(len(body["data"]["updated"]), 1)
        self.assertIn(body["data"]["updated"][0], partners.ids)

    def test_code_action_response_is_merged(self):
        rule = self._contact_webhook()
        self.env["ir.actions.server"].create(
            {
                "name": "Answer",
                "model_id": rule.model_id.id,
                "usage": "base_automation",
                "base_automation_id": rule.id,
                "sequence": 99,
                "state": "code",
                "code": "response['greeting'] = 'hi ' + str(response['created'])",
            }
        )
        body = self.assertWebhookOk(self._call(rule, json=CONTACT_PAYLOAD))
        created = self._partners(CONTACT_PAYLOAD["email"]).ids
        self.assertEqual(body["data"]["created"], created)
        self.assertEqual(body["data"]["greeting"], f"hi {created}")

    # -- conversions with Odoo's import semantics ----------------------------

    def test_values_are_converted_as_an_import(self):
        belgium = self.env.ref("base.be")
        tag = self.env["res.partner.category"].create({"name": "Mapped VIP"})
        rule = self._create_webhook(
            actions=[
                self._upsert_action(
                    mappings=[
                        {"field": "name", "path": "customer.name"},
                        {"field": "email", "path": "customer.email"},
                        {
                            "field": "country_id",
                            "path": "address.country",
                            "relation_match": "field",
                            "relation_field": "code",
                        },
                        {"field": "state_id", "path": "address.state"},
                        {"field": "category_id", "path": "tags"},
                        {"field": "partner_latitude", "path": "geo.lat"},
                        {"field": "partner_longitude", "path": "geo.lon"},
                        {"field": "is_company", "path": "business"},
                        {"field": "company_type", "path": "kind"},
                        {
                            "field": "user_id",
                            "path": "salesperson",
                            "relation_match": "xmlid",
                        },
                    ],
                    match=("email", "customer.email"),
                )
            ]
        )
        payload = {
            "customer": {"name": "Bea Import", "email": "bea@example.com"},
            "address": {"country": "BE", "state": False},
            "tags": "Mapped VIP",
            "geo": {"lat": "50,8466", "lon": 4.3528},
            "business": "yes",
            "kind": "Company",
            "salesperson": "base.user_admin",
        }
        payload["address"].pop("state")
        body = self.assertWebhookOk(self._call(rule, json=payload))
        partner = self._partners("bea@example.com")
        self.assertEqual(body["data"]["created"], partner.ids)
        self.assertEqual(partner.country_id, belgium)
        self.assertEqual(partner.category_id, tag)
        self.assertAlmostEqual(partner.partner_latitude, 50.8466)
        self.assertAlmostEqual(partner.partner_longitude, 4.3528)
        self.assertEqual(partner.company_type, "company")
        self.assertEqual(partner.user_id, self.env.ref("base.user_admin"))

    def test_datetimes_with_offsets_and_epoch_are_stored_in_utc(self):
        order_rule = self._create_webhook(
            model="sale.order",
            actions=[
                self._upsert_action(
                    model="sale.order",
                    mappings=[
                        {
                            "field": "partner_id",
                            "path": "partner",
                            "relation_match": "id",
                        },
                        {"field": "date_order", "path": "at"},
                        {
                            "field": "validity_date",
                            "path": "valid",
                            "value_format": "epoch",
                        },
                        {
                            "field": "commitment_date",
                            "path": "ship",
                            "value_format": "epoch",
                        },
                    ],
                    webhook_upsert_mode="create",
                )
            ],
        )
        partner = self.env["res.partner"].create({"name": "Dated"})
        body = self.assertWebhookOk(
            self._call(
                order_rule,
                json={
                    "partner": partner.id,
                    "at": "2026-12-03T12:30:25+02:00",
                    "valid": 1796300000,
                    "ship": "1796300000",
                },
            )
        )
        order = self.env["sale.order"].browse(body["data"]["created"])
        self.assertEqual(order.date_order, datetime.datetime(2026, 12, 3, 10, 30, 25))
        self.assertEqual(order.validity_date, datetime.date(2026, 12, 3))
        self.assertEqual(
            order.commitment_date, datetime.datetime(2026, 12, 3, 12, 13, 20)
        )

    def test_invalid_value_is_422_naming_path_and_field(self):
        rule = self._create_webhook(
            actions=[
                self._upsert_action(
                    mappings=[
                        {"field": "name", "path": "name"},
                        {"field": "partner_latitude", "path": "position.lat"},
                    ],
                    webhook_upsert_mode="create",
                )
            ]
        )
        count = self.env["res.partner"].search_count([])
        body = self.assertWebhookError(
            self._call(rule, json={"name": "X", "position": {"lat": "north"}}),
            422,
            "mapping_invalid_value",
        )
        self.assertEqual(body["error"]["path"], "position.lat")
        self.assertEqual(body["error"]["field"], "partner_latitude")
        self.assertIn("position.lat", body["error"]["message"])
        self.assertEqual(self.env["res.partner"].search_count([]), count)

    def test_missing_relation_is_422_or_created_by_name(self):
        mapping = {"field": "category_id", "path": "tag"}
        rule = self._create_webhook(
            actions=[
                self._upsert_action(
                    mappings=[{"field": "name", "path": "name"}, mapping],
                    webhook_upsert_mode="create",
                )
            ]
        )
        body = self.assertWebhookError(
            self._call(rule, json={"name": "T", "tag": "Brand New Tag"}),
            422,
            "mapping_relation_not_found",
        )
        self.assertEqual(body["error"]["path"], "tag")
        self.assertEqual(body["error"]["value"], "Brand New Tag")
        self.assertEqual(body["error"]["model"], "res.partner.category")
        self.assertFalse(
            self.env["res.partner.category"].search([("name", "=", "Brand New Tag")])
        )
        rule.action_server_ids.webhook_mapping_ids.filtered(
            lambda line: line.field_id.name == "category_id"
        ).create_missing = True
        body = self.assertWebhookOk(
            self._call(rule, json={"name": "T", "tag": "Brand New Tag"})
        )
        partner = self.env["res.partner"].browse(body["data"]["created"])
        self.assertEqual(partner.category_id.name, "Brand New Tag")

    # -- items, limits, rights -------------------------------------------

    def test_items_path_makes_one_record_per_item(self):
        rule = self._contact_webhook(webhook_items_path="contacts")
        payload = {
            "contacts": [
                {"name": f"Item {n}", "email": f"item{n}@example.com"} for n in range(3)
            ]
        }
        body = self.assertWebhookOk(self._call(rule, json=payload))
        self.assertEqual(len(body["data"]["created"]), 3)
        payload["contacts"][1].pop("email")
        body = self.assertWebhookError(
            self._call(rule, json=payload), 422, "mapping_missing_value"
        )
        self.assertEqual(body["error"]["path"], "contacts.1.email")

    def test_101_items_with_a_cap_of_100_is_413_and_writes_nothing(self):
        rule = self._contact_webhook(webhook_items_path="contacts")
        payload = {
            "contacts": [
                {"name": f"Many {n}", "email": f"many{n}@example.com"}
                for n in range(101)
            ]
        }
        count = self.env["res.partner"].search_count([])
        body = self.assertWebhookError(
            self._call(rule, json=payload), 413, "too_many_items"
        )
        self.assertEqual(body["error"]["path"], "contacts")
        self.assertEqual(self.env["res.partner"].search_count([]), count)
        payload["contacts"].pop()
        body = self.assertWebhookOk(self._call(rule, json=payload))
        self.assertEqual(len(body["data"]["created"]), 100)

    def test_run_as_user_without_create_right_is_403_and_writes_nothing(self):
        reader = self.env["res.users"].create(
            {
                "name": "Mapping Reader",
                "login": "mapping.reader",
                "groups_id": [Command.set([self.env.ref("base.group_user").id])],
            }
        )
        rule = self._contact_webhook()
        rule.webhook_run_as_user_id = reader
        self.assertFalse(self.env["res.partner"].with_user(reader).has_access("create"))
        body = self.assertWebhookError(
            self._call(rule, json=CONTACT_PAYLOAD), 403, "access_denied"
        )
        self.assertNotIn("Mapping Reader", body["error"]["message"])
        self.assertFalse(self._partners(CONTACT_PAYLOAD["email"]))

    # -- a Shopify order -------------------------------------------------

    def _shopify_setup(self):
        products = self.env["product.product"].create(
            [
                {"name": "Mapped Mug", "default_code": "SKU-MUG", "list_price": 9},
                {"name": "Mapped Tee", "default_code": "SKU-TEE", "list_price": 20},
            ]
        )
        partner_rule = self._create_webhook(
            name="Shopify customers",
            actions=[
                self._upsert_action(
                    mappings=[
                        {
                            "field": "name",
                            "path": "customer.first_name",
                            "required": True,
                        },
                        {"field": "email", "path": "customer.email", "required": True},
                        {
                            "field": "country_id",
                            "path": "shipping_address.country_code",
                            "relation_match": "field",
                            "relation_field": "code",
                        },
                    ],
                    match=("email", "customer.email"),
                )
            ],
        )
        order_rule = self._create_webhook(
            model="sale.order",
            name="Shopify orders",
            actions=[
                self._upsert_action(
                    model="sale.order",
                    mappings=[
                        {
                            "field": "partner_id",
                            "path": "customer.email",
                            "relation_match": "field",
                            "relation_field": "email",
                            "required": True,
                        },
                        {"field": "client_order_ref", "path": "name"},
                        {"field": "date_order", "path": "created_at"},
                        {
                            "field": "order_line",
                            "path": "line_items",
                            "lines": [
                                {
                                    "field": "product_id",
                                    "path": "sku",
                                    "relation_match": "field",
                                    "relation_field": "default_code",
                                    "required": True,
                                },
                                {"field": "product_uom_qty", "path": "quantity"},
                                {"field": "price_unit", "path": "price"},
                            ],
                        },
                    ],
                    match=("client_order_ref", "name"),
                )
            ],
        )
        return products, partner_rule, order_rule

    def _shopify_order(self):
        return {
            "id": 820982911946154508,
            "name": "#9999",
            "created_at": "2026-12-03T12:30:25+02:00",
            "customer": {"first_name": "Shopper", "email": "shopper@example.com"},
            "shipping_address": {"country_code": "BE"},
            "line_items": [
                {"sku": "SKU-MUG", "quantity": 2, "price": "8.50"},
                {"sku": "SKU-TEE", "quantity": 1, "price": "19,90"},
            ],
        }

    def test_shopify_order_creates_the_partner_and_the_order_with_lines(self):
        products, partner_rule, order_rule = self._shopify_setup()
        order_payload = self._shopify_order()
        self.assertWebhookOk(self._call(partner_rule, json=order_payload))
        partner = self._partners("shopper@example.com")
        self.assertEqual(partner.country_id, self.env.ref("base.be"))
        body = self.assertWebhookOk(self._call(order_rule, json=order_payload))
        self.assertEqual(body["data"]["model"], "sale.order")
        order = self.env["sale.order"].browse(body["data"]["created"])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.partner_id, partner)
        self.assertEqual(order.client_order_ref, "#9999")
        self.assertEqual(order.date_order, datetime.datetime(2026, 12, 3, 10, 30, 25))
        self.assertEqual(order.order_line.product_id, products)
        self.assertEqual(order.order_line.mapped("product_uom_qty"), [2, 1])
        self.assertEqual(order.order_line.mapped("price_unit"), [8.5, 19.9])
        # the same order again updates it: one order, its lines replaced
        order_payload["line_items"].pop()
        body = self.assertWebhookOk(self._call(order_rule, json=order_payload))
        self.assertEqual(
            body["data"], {"model": "sale.order", "created": [], "updated": order.ids}
        )
        self.assertEqual(order.order_line.product_id, products[0])

    def test_shopify_unknown_country_is_422_naming_the_path(self):
        _products, partner_rule, _order_rule = self._shopify_setup()
        order_payload = self._shopify_order()
        order_payload["shipping_address"]["country_code"] = "XX"
        body = self.assertWebhookError(
            self._call(partner_rule, json=order_payload),
            422,
            "mapping_relation_not_found",
        )
        self.assertEqual(body["error"]["path"], "shipping_address.country_code")
        self.assertIn("shipping_address.country_code", body["error"]["message"])
        self.assertFalse(self._partners("shopper@example.com"))

    def test_shopify_unknown_sku_is_422_naming_the_line(self):
        _products, _partner_rule, order_rule = self._shopify_setup()
        self.env["res.partner"].create({"name": "S", "email": "shopper@example.com"})
        order_payload = self._shopify_order()
        order_payload["line_items"][1]["sku"] = "SKU-NONE"
        count = self.env["sale.order"].search_count([])
        body = self.assertWebhookError(
            self._call(order_rule, json=order_payload),
            422,
            "mapping_relation_not_found",
        )
        self.assertEqual(body["error"]["path"], "line_items.1.sku")
        self.assertEqual(self.env["sale.order"].search_count([]), count)

    # -- async, replay, dry run ------------------------------------------

    def test_async_mode_and_replay(self):
        rule = self._contact_webhook(webhook_mode="async", log_webhook_calls=True)
        response = self._call(rule, json=CONTACT_PAYLOAD)
        self.assertEqual(response.status_code, 202, response.text)
        self.assertFalse(self._partners(CONTACT_PAYLOAD["email"]))
        self._run_jobs()
        contact = self._partners(CONTACT_PAYLOAD["email"])
        self.assertEqual(len(contact), 1)
        log = self._last_log(rule)
        self.assertEqual(log.state, "done")
        contact.phone = "changed"
        log.action_replay()
        self._run_jobs()
        self.assertEqual(len(self._partners(CONTACT_PAYLOAD["email"])), 1)
        self.assertEqual(contact.phone, CONTACT_PAYLOAD["phone"])

    def test_dry_run_reports_the_creation_and_writes_nothing(self):
        rule = self._contact_webhook()
        rule.webhook_test_payload = (
            '{"name": "Dry Ada", "email": "dry.ada@example.com"}'
        )
        rule.action_webhook_test_dry_run()
        self.assertFalse(self._partners("dry.ada@example.com"))
        self.assertIn("Dry Ada", rule.webhook_test_changes_html)
        self.assertIn("res.partner", rule.webhook_test_result_changes)


class TestPayloadMappingHostile(WebhookCase):
    """What a sender cannot do through a mapping, whatever it sends."""

    def _runner(self):
        """A run-as user who may create contacts in the main company only."""
        return self.env["res.users"].create(
            {
                "name": "Mapping Runner",
                "login": "mapping.runner",
                "company_id": self.env.company.id,
                "company_ids": [Command.set(self.env.company.ids)],
                "groups_id": [
                    Command.set(
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("base.group_partner_manager").id,
                        ]
                    )
                ],
            }
        )

    def test_an_id_out_of_the_run_as_users_reach_is_not_found(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        hidden = self.env["res.partner"].create(
            {"name": "Hidden Parent", "company_id": other_company.id}
        )
        rule = self._create_webhook(
            webhook_run_as_user_id=self._runner().id,
            actions=[
                self._upsert_action(
                    mappings=[
                        {"field": "name", "path": "name"},
                        {
                            "field": "parent_id",
                            "path": "parent",
                            "relation_match": "id",
                        },
                    ],
                    webhook_upsert_mode="create",
                )
            ],
        )
        answers = []
        for parent in (hidden.id, 2**31 - 2):
            body = self.assertWebhookError(
                self._call(rule, json={"name": "Child", "parent": parent}),
                422,
                "mapping_relation_not_found",
            )
            answers.append(body["error"]["message"].replace(str(parent), "<id>"))
        # a hidden record and a missing one get the same answer
        self.assertEqual(answers[0], answers[1])
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Child")]))

    def test_keys_that_are_not_mapped_are_not_written(self):
        rule = self._create_webhook(
            actions=[
                self._upsert_action(
                    mappings=[{"field": "name", "path": "name"}],
                    match=("email", "email"),
                )
            ],
        )
        payload = {
            "name": "Plain",
            "email": "plain@example.com",
            "is_company": True,
            "user_id": self.env.ref("base.user_admin").id,
            "company_type": "company",
        }
        body = self.assertWebhookOk(self._call(rule, json=payload))
        partner = self.env["res.partner"].browse(body["data"]["created"])
        self.assertEqual(partner.email, "plain@example.com")
        self.assertFalse(partner.is_company)
        self.assertFalse(partner.user_id)

    def test_a_match_value_that_is_an_object_is_refused(self):
        rule = self._create_webhook(
            actions=[
                self._upsert_action(
                    mappings=[{"field": "name", "path": "name"}],
                    match=("email", "email"),
                )
            ],
        )
        for email in ({"$ne": ""}, ["a@b.c"], True):
            body = self.assertWebhookError(
                self._call(rule, json={"name": "Obj", "email": email}),
                422,
                "mapping_invalid_value",
            )
            self.assertEqual(body["error"]["path"], "email")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Obj")]))

    def test_too_many_tags_or_lines_are_413(self):
        rule = self._create_webhook(
            actions=[
                self._upsert_action(
                    mappings=[
                        {"field": "name", "path": "name"},
                        {
                            "field": "category_id",
                            "path": "tags",
                            "create_missing": True,
                        },
                    ],
                    webhook_upsert_mode="create",
                    webhook_max_items=5,
                )
            ],
        )
        tags = ",".join(f"Flood {n}" for n in range(6))
        body = self.assertWebhookError(
            self._call(rule, json={"name": "Flood", "tags": tags}),
            413,
            "too_many_items",
        )
        self.assertEqual(body["error"]["path"], "tags")
        self.assertFalse(
            self.env["res.partner.category"].search([("name", "=like", "Flood %")])
        )


class TestPayloadMappingForm(WebhookTransactionCase):
    """The action's form: sample, suggestions and preview, nothing written."""

    def _action(self, **values):
        rule = self._create_webhook(
            actions=[
                self._upsert_action(
                    mappings=[
                        {"field": "name", "path": "name"},
                        {"field": "email", "path": "email"},
                        {"field": "category_id", "path": "tag", "create_missing": True},
                    ],
                    match=("email", "email"),
                    **values,
                )
            ],
        )
        return rule.action_server_ids

    def test_preview_shows_the_record_and_writes_nothing(self):
        action = self._action(
            webhook_upsert_sample='{"name": "Pre View", "email": "pre@example.com",'
            ' "tag": "Preview Tag"}'
        )
        preview = action.webhook_upsert_preview
        self.assertIn("Would create", preview)
        self.assertIn("Pre View", preview)
        self.assertIn("Preview Tag (new)", preview)
        self.assertFalse(
            self.env["res.partner.category"].search([("name", "=", "Preview Tag")])
        )
        partner = self.env["res.partner"].create(
            {"name": "Old Name", "email": "pre@example.com"}
        )
        action.invalidate_recordset(["webhook_upsert_preview"])
        self.assertIn("Would update", action.webhook_upsert_preview)
        self.assertIn("Old Name", action.webhook_upsert_preview)
        self.assertEqual(partner.name, "Old Name")

    def test_preview_names_the_error_of_the_sample(self):
        action = self._action(
            webhook_upsert_sample='{"name": "No Mail"}',
        )
        self.assertIn("email", action.webhook_upsert_preview)
        self.assertIn("alert", action.webhook_upsert_preview)

    def test_suggestions_match_keys_to_field_names_and_labels(self):
        action = self._action(
            webhook_upsert_sample='{"Email": "a@b.c", "phone": "1", '
            '"mobile_phone": "2", "nothing_like_it": 3}'
        )
        suggestions = {
            field.name: path
            for field, path in action._webhook_suggest_field_paths().items()
        }
        self.assertEqual(suggestions.get("email"), "Email")
        self.assertEqual(suggestions.get("phone"), "phone")
        self.assertNotIn("nothing_like_it", suggestions.values())


class TestPayloadMappingSample(WebhookCase):
    """The action's sample, taken from the last call logged over HTTP."""

    def test_sample_is_prefilled_from_the_last_logged_call(self):
        rule = self._create_webhook(log_webhook_calls=True, record_getter=False)
        self._call(rule, json={"name": "Logged", "email": "logged@example.com"})
        action = self.env["ir.actions.server"].new(
            {
                "state": "webhook_upsert",
                "model_id": rule.model_id.id,
                "base_automation_id": rule.id,
                "usage": "base_automation",
            }
        )
        action._onchange_webhook_upsert_sample()
        self.assertIn("logged@example.com", action.webhook_upsert_sample)
