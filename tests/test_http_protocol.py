# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What an external system sees: payload formats, methods, sizes, errors."""

import json

from .common import WebhookCase

ECHO_CODE = "record.write({'function': json.dumps(payload, sort_keys=True)})"


class TestHttpProtocol(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Echo target"})

    def setUp(self):
        super().setUp()
        # the target is fixed: the payload is written on it as JSON
        self.rule = self._create_webhook(
            record_getter=f"model.browse({self.partner.id})",
            actions=[self._code_action(ECHO_CODE)],
        )

    def _echoed_payload(self):
        return json.loads(self.partner.function)

    def test_json_body(self):
        response = self._call(self.rule, json={"a": 1, "nested": {"b": [1, 2]}})
        body = self.assertWebhookOk(response)
        self.assertEqual(len(body["request_id"]), 32)
        self.assertEqual(self._echoed_payload(), {"a": 1, "nested": {"b": [1, 2]}})

    def test_json_suffix_content_type(self):
        response = self._call(
            self.rule,
            data=b'{"kind": "cloudevent"}',
            headers={"Content-Type": "application/cloudevents+json; charset=utf-8"},
        )
        self.assertWebhookOk(response)
        self.assertEqual(self._echoed_payload(), {"kind": "cloudevent"})

    def test_form_encoded_body(self):
        response = self._call(self.rule, data={"name": "Ann", "tag": ["a", "b"]})
        self.assertWebhookOk(response)
        self.assertEqual(self._echoed_payload(), {"name": "Ann", "tag": ["a", "b"]})

    def test_query_parameters(self):
        response = self._call(self.rule, params={"order": "S00007", "n": "2"})
        self.assertWebhookOk(response)
        self.assertEqual(self._echoed_payload(), {"n": "2", "order": "S00007"})

    def test_body_wins_over_query_parameters(self):
        response = self._call(
            self.rule, params={"source": "shop", "id": "1"}, json={"id": 2}
        )
        self.assertWebhookOk(response)
        self.assertEqual(self._echoed_payload(), {"id": 2, "source": "shop"})

    def test_empty_body_is_an_empty_payload(self):
        response = self._call(self.rule)
        self.assertWebhookOk(response)
        self.assertEqual(self._echoed_payload(), {})
        # an empty body with a JSON content type is empty too, not malformed
        self.partner.function = False
        response = self._call(
            self.rule, data=b"", headers={"Content-Type": "application/json"}
        )
        self.assertWebhookOk(response)
        self.assertEqual(self._echoed_payload(), {})

    def test_malformed_json_is_400(self):
        response = self._call(
            self.rule, data=b'{"a": ', headers={"Content-Type": "application/json"}
        )
        body = self.assertWebhookError(response, 400, "malformed_payload")
        self.assertIn("not valid JSON", body["error"]["message"])
        self.assertFalse(self.partner.function, "nothing ran")

    def test_json_not_an_object_is_400(self):
        for raw in (b"[1, 2]", b'"text"', b"42", b"null"):
            response = self._call(
                self.rule, data=raw, headers={"Content-Type": "application/json"}
            )
            self.assertWebhookError(response, 400, "malformed_payload")
        self.assertFalse(self.partner.function)

    def test_json_nan_and_bad_utf8_are_400(self):
        for raw in (b'{"a": NaN}', b'{"a": "\xff"}'):
            response = self._call(
                self.rule, data=raw, headers={"Content-Type": "application/json"}
            )
            self.assertWebhookError(response, 400, "malformed_payload")

    def test_unsupported_content_type_is_415(self):
        response = self._call(
            self.rule, data=b"<order/>", headers={"Content-Type": "application/xml"}
        )
        body = self.assertWebhookError(response, 415, "unsupported_media_type")
        self.assertIn("application/xml", body["error"]["message"])
        response = self._call(self.rule, files={"file": ("a.txt", b"data")})
        self.assertWebhookError(response, 415, "unsupported_media_type")
        self.assertFalse(self.partner.function)

    def test_unknown_archived_and_rotated_secrets_are_404(self):
        base = self.rule.url.rpartition("/")[0]
        unknown = self._call(f"{base}/not-a-secret", json={})
        body = self.assertWebhookError(unknown, 404, "not_found")
        old_url = self.rule.url
        self.rule.action_rotate_webhook_uuid()
        self.assertNotEqual(self.rule.url, old_url)
        rotated = self._call(old_url, json={})
        self.assertEqual(rotated.json()["error"], body["error"], "no hint which")
        self.assertWebhookOk(self._call(self.rule, json={}))
        self.rule.active = False
        archived = self._call(self.rule, json={})
        self.assertEqual(archived.status_code, 404)
        self.assertEqual(archived.json()["error"], body["error"])
        # a rule that is not a webhook is not reachable by its uuid either
        self.rule.write({"active": True, "trigger": "on_create_or_write"})
        same_secret_url = f"{self.base_url()}/web/hook/{self.rule.webhook_uuid}"
        self.assertEqual(self._call(same_secret_url, json={}).status_code, 404)

    def test_malformed_webhook_urls_are_json_404(self):
        for path in ("/web/hook/", "/web/hook/a/b", "/web/hook/" + "x" * 100):
            response = self._call(f"{self.base_url()}{path}", json={})
            self.assertWebhookError(response, 404, "not_found")

    def test_methods(self):
        for method in ("PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"):
            response = self._call(self.rule, method=method, json={})
            self.assertWebhookError(response, 405, "method_not_allowed")
            self.assertEqual(response.headers["Allow"], "POST")
        # GET is off for webhooks created with this addon
        response = self._call(self.rule, method="GET", params={"a": "1"})
        self.assertWebhookError(response, 405, "method_not_allowed")
        self.assertFalse(self.partner.function)
        self.rule.webhook_allow_get = True
        response = self._call(self.rule, method="GET", params={"a": "1"})
        self.assertWebhookOk(response)
        self.assertEqual(self._echoed_payload(), {"a": "1"})

    def test_body_size_limit_default_1mib(self):
        self.assertEqual(self.rule.webhook_max_body_size, 1024 * 1024)
        filler = "x" * (1024 * 1024 - 20)
        small = json.dumps({"f": filler[: 1024 * 1024 - 100]}).encode()
        self.assertWebhookOk(
            self._call(
                self.rule, data=small, headers={"Content-Type": "application/json"}
            )
        )
        big = json.dumps({"f": filler + "y" * 100}).encode()
        self.assertGreater(len(big), 1024 * 1024)
        response = self._call(
            self.rule, data=big, headers={"Content-Type": "application/json"}
        )
        body = self.assertWebhookError(response, 413, "payload_too_large")
        self.assertIn(str(1024 * 1024), body["error"]["message"])

    def test_body_size_limit_per_rule(self):
        self.rule.webhook_max_body_size = 100
        response = self._call(self.rule, json={"text": "z" * 200})
        self.assertWebhookError(response, 413, "payload_too_large")
        response = self._call(self.rule, data={"text": "z" * 200})
        body = self.assertWebhookError(response, 413, "payload_too_large")
        self.assertIn("at most 100 bytes", body["error"]["message"])
        log = self._last_log(self.rule)
        self.assertEqual((log.status_code, log.error_code), (413, "payload_too_large"))
        self.assertFalse(self.partner.function)
        response = self._call(self.rule, json={"text": "ok"})
        self.assertWebhookOk(response)

    def test_chunked_body_is_read_within_the_limit(self):
        """A chunked body is read up to the webhook's limit, then refused: 413."""
        response = self._call(
            self.rule,
            data=iter([b'{"chunk', b'ed": true}']),
            headers={"Content-Type": "application/json"},
        )
        self.assertWebhookOk(response)
        self.assertEqual(self._echoed_payload(), {"chunked": True})
        self.rule.webhook_max_body_size = 1024
        response = self._call(
            self.rule,
            data=iter([b'{"f": "', b"x" * 1024, b'"}']),
            headers={"Content-Type": "application/json"},
        )
        body = self.assertWebhookError(response, 413, "payload_too_large")
        self.assertEqual(
            body["error"]["message"],
            "The request body is larger than this webhook accepts: at most 1024 bytes.",
        )

    def test_other_transfer_codings_are_refused_unread(self):
        """A transfer coding the server does not undo cannot be read: 411."""
        response = self._call(
            self.rule,
            data=b'{"a": 1}',
            headers={
                "Content-Type": "application/json",
                "Transfer-Encoding": "gzip",
            },
        )
        body = self.assertWebhookError(response, 411, "length_required")
        self.assertIn("Content-Length", body["error"]["message"])
