# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Signed calls over HTTP: each scheme as its provider signs, and every refusal.

The signatures are computed here with ``hmac`` and ``hashlib``, as each
provider documents them, not with the addon's own code.
"""

import base64
import hashlib
import hmac
import json
import logging
import time

from .common import WebhookCase

SECRET = "s3cr3t-shared-with-the-sender"
CREATE_CONTACT = "env['res.partner'].create({'name': payload['name']})"


def hex_hmac(secret, content, digest=hashlib.sha256):
    return hmac.new(secret, content, digest).hexdigest()


def b64_hmac(secret, content, digest=hashlib.sha256):
    return base64.b64encode(hmac.new(secret, content, digest).digest()).decode()


def github_headers(body, secret=SECRET):
    return {"X-Hub-Signature-256": "sha256=" + hex_hmac(secret.encode(), body)}


def shopify_headers(body, secret=SECRET):
    return {"X-Shopify-Hmac-Sha256": b64_hmac(secret.encode(), body)}


def stripe_headers(body, secret=SECRET, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hex_hmac(secret.encode(), f"{timestamp}.".encode() + body)
    return {"Stripe-Signature": f"t={timestamp},v1={signature},v0=ignored"}


def standard_headers(body, secret, timestamp=None, msg_id="msg_2Lh9KRb0pzN4"):
    timestamp = int(time.time()) if timestamp is None else timestamp
    key = (
        base64.b64decode(secret[len("whsec_") :])
        if secret.startswith("whsec_")
        else secret.encode()
    )
    content = f"{msg_id}.{timestamp}.".encode() + body
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v2,bm90LWEtc2lnbmF0dXJl v1," + b64_hmac(key, content),
    }


class SignatureCase(WebhookCase):
    def _signed_rule(self, scheme, secret=SECRET, **values):
        rule = self._create_webhook(
            record_getter=False,
            log_webhook_calls=True,
            webhook_signature_scheme=scheme,
            actions=[self._code_action(CREATE_CONTACT)],
            **values,
        )
        rule.webhook_signing_secret = secret
        return rule

    def _post(self, rule, body, headers):
        return self._call(
            rule, data=body, headers={"Content-Type": "application/json", **headers}
        )

    def _contacts(self, name):
        return self.env["res.partner"].search_count([("name", "=", name)])

    def assertRefused(self, response, code, name):
        """Assert a 401 ``code`` answer, nothing created, and a log of it."""
        self.assertWebhookError(response, 401, code)
        self.assertEqual(self._contacts(name), 0)


class TestSignatureSchemes(SignatureCase):
    def test_github(self):
        rule = self._signed_rule("github")
        body = json.dumps({"name": "Octocat"}).encode()
        self.assertWebhookOk(self._post(rule, body, github_headers(body)))
        self.assertEqual(self._contacts("Octocat"), 1)
        tampered = json.dumps({"name": "Mallory"}).encode()
        self.assertRefused(
            self._post(rule, tampered, github_headers(body)),
            "signature_invalid",
            "Mallory",
        )
        self.assertRefused(
            self._post(rule, tampered, github_headers(tampered, "wrong secret")),
            "signature_invalid",
            "Mallory",
        )
        self.assertRefused(
            self._post(rule, tampered, {}), "signature_missing", "Mallory"
        )
        log = self._last_log(rule)
        self.assertEqual((log.status_code, log.error_code), (401, "signature_missing"))

    def test_shopify(self):
        rule = self._signed_rule("shopify")
        body = json.dumps({"name": "Shop owner"}).encode()
        self.assertWebhookOk(self._post(rule, body, shopify_headers(body)))
        self.assertEqual(self._contacts("Shop owner"), 1)
        tampered = body.replace(b"owner", b"thief")
        self.assertRefused(
            self._post(rule, tampered, shopify_headers(body)),
            "signature_invalid",
            "Shop thief",
        )
        self.assertRefused(
            self._post(rule, tampered, {}), "signature_missing", "Shop thief"
        )

    def test_stripe(self):
        rule = self._signed_rule("stripe", secret="whsec_test_stripe_endpoint")
        secret = "whsec_test_stripe_endpoint"
        body = json.dumps({"id": "evt_1", "name": "Stripe customer"}).encode()
        self.assertWebhookOk(self._post(rule, body, stripe_headers(body, secret)))
        self.assertEqual(self._contacts("Stripe customer"), 1)
        # stale, and from the future: the future one loses the time the call
        # takes (and up to 1 s of rounding) before the server checks it
        for offset in (-301, 305):
            now = int(time.time())
            with self.subTest(offset=offset):
                self.assertRefused(
                    self._post(
                        rule,
                        body.replace(b"customer", b"replay"),
                        stripe_headers(
                            body.replace(b"customer", b"replay"),
                            secret,
                            timestamp=now + offset,
                        ),
                    ),
                    "timestamp_out_of_tolerance",
                    "Stripe replay",
                )
        forged = body.replace(b"customer", b"forger")
        self.assertRefused(
            self._post(rule, forged, stripe_headers(body, secret)),
            "signature_invalid",
            "Stripe forger",
        )
        for header in (f"v1={'0' * 64}", f"t={now}", "garbage"):
            with self.subTest(header=header):
                self.assertRefused(
                    self._post(rule, forged, {"Stripe-Signature": header}),
                    "signature_missing",
                    "Stripe forger",
                )

    def test_stripe_tolerance_is_configurable(self):
        secret = "whsec_tolerant"
        rule = self._signed_rule(
            "stripe", secret=secret, webhook_timestamp_tolerance=3600
        )
        body = json.dumps({"name": "Late but fine"}).encode()
        headers = stripe_headers(body, secret, timestamp=int(time.time()) - 1800)
        self.assertWebhookOk(self._post(rule, body, headers))

    def test_standard_webhooks(self):
        secret = (
            "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
        )
        rule = self._signed_rule("standard", secret=secret)
        body = json.dumps({"name": "Svix user"}).encode()
        self.assertWebhookOk(self._post(rule, body, standard_headers(body, secret)))
        self.assertEqual(self._contacts("Svix user"), 1)
        forged = body.replace(b"user", b"forger")
        self.assertRefused(
            self._post(rule, forged, standard_headers(body, secret)),
            "signature_invalid",
            "Svix forger",
        )
        self.assertRefused(
            self._post(rule, forged, standard_headers(forged, "whsec_" + "A" * 44)),
            "signature_invalid",
            "Svix forger",
        )
        stale = standard_headers(forged, secret, timestamp=int(time.time()) - 600)
        self.assertRefused(
            self._post(rule, forged, stale), "timestamp_out_of_tolerance", "Svix forger"
        )
        for missing in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            with self.subTest(missing=missing):
                headers = standard_headers(forged, secret)
                del headers[missing]
                self.assertRefused(
                    self._post(rule, forged, headers),
                    "signature_missing",
                    "Svix forger",
                )
        headers = {**standard_headers(forged, secret), "webhook-timestamp": "soon"}
        self.assertRefused(
            self._post(rule, forged, headers), "signature_missing", "Svix forger"
        )

    def test_standard_webhooks_secret_without_prefix(self):
        rule = self._signed_rule("standard", secret="plain-utf8-secret")
        body = json.dumps({"name": "Plain key"}).encode()
        headers = standard_headers(body, "plain-utf8-secret")
        self.assertWebhookOk(self._post(rule, body, headers))

    def test_generic_hmac(self):
        cases = [
            ("sha256", "hex", "", hashlib.sha256),
            ("sha1", "hex", "sha1=", hashlib.sha1),
            ("sha512", "base64", "", hashlib.sha512),
        ]
        for algorithm, encoding, prefix, digest in cases:
            with self.subTest(algorithm=algorithm, encoding=encoding):
                rule = self._signed_rule(
                    "hmac",
                    webhook_signature_header="X-Partner-Check",
                    webhook_signature_algorithm=algorithm,
                    webhook_signature_encoding=encoding,
                    webhook_signature_prefix=prefix,
                )
                name = f"HMAC {algorithm}"
                body = json.dumps({"name": name}).encode()
                signature = (
                    hex_hmac(SECRET.encode(), body, digest)
                    if encoding == "hex"
                    else b64_hmac(SECRET.encode(), body, digest)
                )
                self.assertWebhookOk(
                    self._post(rule, body, {"X-Partner-Check": prefix + signature})
                )
                self.assertEqual(self._contacts(name), 1)
                # the configured header is masked in the logs like a credential
                logged = json.loads(self._last_log(rule).request_headers)
                self.assertEqual(logged["X-Partner-Check"], "***")
                if prefix:
                    other = body.replace(b"HMAC", b"Bare")
                    bare = hex_hmac(SECRET.encode(), other, digest)
                    self.assertRefused(
                        self._post(rule, other, {"X-Partner-Check": bare}),
                        "signature_invalid",
                        name.replace("HMAC", "Bare"),
                    )

    def test_form_body_is_verified_as_sent(self):
        rule = self._signed_rule("github")
        body = b"name=Form+sender&note=a%26b"
        response = self._call(
            rule,
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                **github_headers(body),
            },
        )
        self.assertWebhookOk(response)
        self.assertEqual(self._contacts("Form sender"), 1)

    def test_signature_is_checked_before_the_payload(self):
        rule = self._signed_rule("github")
        response = self._post(rule, b"{not json", {})
        self.assertWebhookError(response, 401, "signature_missing")


class TestSecretsNeverLeak(SignatureCase):
    def test_signing_secret_is_nowhere_to_be_seen(self):
        rule = self._signed_rule("github", webhook_rotation_grace="1d")
        rule.webhook_signing_secret = "the-new-secret-value"
        self.assertTrue(rule.webhook_secret_in_grace)
        secrets = (SECRET, "the-new-secret-value")
        body = json.dumps({"name": "Leak check"}).encode()
        with self._capture_log_lines("odoo", logging.DEBUG) as lines:
            responses = [
                self._post(rule, body, github_headers(body, "the-new-secret-value")),
                self._post(rule, body, github_headers(body, SECRET)),
                self._post(rule, body, github_headers(body, "wrong")),
                self._post(rule, body, {}),
                self._post(rule, b"[]", github_headers(b"[]", SECRET)),
            ]
        self.assertEqual([r.status_code for r in responses], [200, 200, 401, 401, 400])
        logs = self.env["webhook.call.log"].search([("automation_id", "=", rule.id)])
        self.assertEqual(len(logs), 5)
        stored = json.dumps(
            logs.read([f for f in logs._fields if f != "automation_id"]), default=str
        )
        for secret in secrets:
            with self.subTest(secret=secret):
                self.assertNotIn(secret, stored)
                self.assertFalse([line for line in lines if secret in line])
                self.assertFalse([r for r in responses if secret in r.text])
        for log in logs:
            headers = json.loads(log.request_headers)
            if "X-Hub-Signature-256" in headers:
                self.assertEqual(headers["X-Hub-Signature-256"], "***")
