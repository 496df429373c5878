# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Signature schemes, without database: published vectors, refusals, hostile input."""

import base64
import dataclasses
import doctest
import hashlib
import hmac
import io

from werkzeug.datastructures import Headers

from odoo.tests import BaseCase

from ..receiver import signatures
from ..receiver.errors import (
    WebhookSignatureInvalid,
    WebhookSignatureMissing,
    WebhookTimestampOutOfTolerance,
)
from ..receiver.signatures import (
    SCHEMES,
    BodyHmacScheme,
    SignatureSettings,
    generate_secret,
    get_scheme,
    get_scheme_selection,
    register_scheme,
)

SIGNATURE_ERRORS = (
    WebhookSignatureMissing,
    WebhookSignatureInvalid,
    WebhookTimestampOutOfTolerance,
)
NOW = 1_700_000_000
BODY = b'{"event": "order.paid", "id": "evt_1", "amount": 4200}'
SECRET = "current-secret-4f1c"
PREVIOUS = "previous-secret-9a2e"


def render(message):
    """Return the English text of a message, as the pipeline would show it."""
    # Odoo's lazy translations read the language from a local named context
    context = {"lang": "en_US"}  # noqa: F841
    return str(message)


def hmac_digest(key, content, algorithm=hashlib.sha256):
    """HMAC computed here, independently of the module under test."""
    if isinstance(key, str):
        key = key.encode()
    return hmac.new(key, content, algorithm).digest()


def run_doctests(testcase, module):
    """Run the doctests of ``module``; fail ``testcase`` with their report."""
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = io.StringIO()
    for test in finder.find(module):
        runner.run(test, out=report.write)
    testcase.assertGreater(runner.tries, 0, f"no doctest in {module.__name__}")
    testcase.assertEqual(runner.failures, 0, report.getvalue())


class SignatureCase(BaseCase):
    """Helpers of the signature tests."""

    def assertAccepted(self, scheme, headers, body=BODY, secrets=(SECRET,), now=NOW):
        self.assertIsNone(scheme.verify(headers, body, list(secrets), now=now))

    def assertRefused(
        self, error, scheme, headers, body=BODY, secrets=(SECRET,), now=NOW
    ):
        """Check the call is refused with exactly ``error``; return its message."""
        with self.assertRaises(SIGNATURE_ERRORS) as caught:
            scheme.verify(headers, body, list(secrets), now=now)
        exc = caught.exception
        self.assertIs(type(exc), error, f"expected {error.__name__}: {exc!r}")
        self.assertEqual(exc.status, 401)
        message = render(exc.args[0])
        self.assertTrue(message.endswith("."), message)
        for secret in secrets:
            if secret:
                self.assertNotIn(secret, message)
        return message


class TestSchemeRegistry(SignatureCase):
    def test_registered_schemes(self):
        self.assertEqual(
            set(SCHEMES), {"github", "stripe", "shopify", "standard", "hmac"}
        )
        selection = dict(get_scheme_selection())
        self.assertEqual(selection["github"], "GitHub (X-Hub-Signature-256)")
        self.assertEqual(set(selection), set(SCHEMES))
        for name, label in selection.items():
            scheme = get_scheme(name)
            self.assertEqual(scheme.name, name)
            self.assertEqual(scheme.label, label)
            names = scheme.get_header_names()
            self.assertTrue(names)
            self.assertEqual(names, [header.lower() for header in names])

    def test_no_scheme(self):
        for name in ("none", "", None, False):
            self.assertIsNone(get_scheme(name))
        with self.assertRaises(ValueError):
            get_scheme("carrier-pigeon")

    def test_delivery_ids(self):
        self.assertEqual(
            {name: cls.delivery_id for name, cls in SCHEMES.items()},
            {
                "github": ("header", "X-GitHub-Delivery"),
                "standard": ("header", "webhook-id"),
                "shopify": ("header", "X-Shopify-Webhook-Id"),
                "stripe": ("payload", "id"),
                "hmac": None,
            },
        )

    def test_header_names(self):
        self.assertEqual(
            get_scheme("github").get_header_names(), ["x-hub-signature-256"]
        )
        self.assertEqual(get_scheme("stripe").get_header_names(), ["stripe-signature"])
        self.assertEqual(
            get_scheme("shopify").get_header_names(), ["x-shopify-hmac-sha256"]
        )
        self.assertEqual(
            get_scheme("standard").get_header_names(),
            ["webhook-signature"],
        )
        settings = SignatureSettings(header="X-Acme-Signature")
        self.assertEqual(
            get_scheme("hmac", settings).get_header_names(), ["x-acme-signature"]
        )

    def test_register_a_provider(self):
        @register_scheme
        class AcmeScheme(BodyHmacScheme):
            name = "acme-test"
            label = "Acme"
            header = "X-Acme"

        self.addCleanup(SCHEMES.pop, "acme-test")
        self.assertIn(("acme-test", "Acme"), get_scheme_selection())
        scheme = get_scheme("acme-test")
        headers = scheme.sign(BODY, SECRET)
        self.assertEqual(headers, {"X-Acme": hmac_digest(SECRET, BODY).hex()})
        self.assertAccepted(scheme, headers)
        # registering the same class again is harmless, another one is refused
        self.assertIs(register_scheme(AcmeScheme), AcmeScheme)
        with self.assertRaises(ValueError):
            register_scheme(type("Other", (AcmeScheme,), {}))
        with self.assertRaises(TypeError):
            register_scheme(type("Nameless", (BodyHmacScheme,), {"label": "x"}))
        with self.assertRaises(ValueError):
            register_scheme(
                type("NoneScheme", (BodyHmacScheme,), {"name": "none", "label": "x"})
            )

    def test_generate_secret(self):
        secret = generate_secret("standard")
        self.assertTrue(secret.startswith("whsec_"))
        self.assertEqual(len(base64.b64decode(secret[6:], validate=True)), 32)
        self.assertEqual(len(get_scheme("standard").make_key(secret)), 32)
        for name in (None, "github", "stripe", "shopify", "hmac"):
            secret = generate_secret(name)
            self.assertGreaterEqual(len(secret), 43)
            self.assertRegex(secret, r"^[A-Za-z0-9_-]+$")
        self.assertNotEqual(generate_secret(), generate_secret())

    def test_settings(self):
        settings = SignatureSettings()
        self.assertEqual(
            dataclasses.asdict(settings),
            {
                "header": "X-Signature",
                "algorithm": "sha256",
                "encoding": "hex",
                "prefix": "",
                "tolerance": 300,
            },
        )
        with self.assertRaises(dataclasses.FrozenInstanceError):
            settings.tolerance = 0

    def test_doctests(self):
        run_doctests(self, signatures)


class TestGithub(SignatureCase):
    scheme = get_scheme("github")

    def test_published_vector(self):
        # GitHub's own test values, "Testing the webhook payload validation":
        # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
        # source: repository github/docs, file
        # content/webhooks/using-webhooks/validating-webhook-deliveries.md
        secret = "It's a Secret to Everybody"
        payload = b"Hello, World!"
        expected = (
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        )
        headers = {"X-Hub-Signature-256": expected}
        self.assertAccepted(self.scheme, headers, payload, [secret])
        self.assertEqual(self.scheme.sign(payload, secret), headers)
        self.assertRefused(
            WebhookSignatureInvalid, self.scheme, headers, b"Hello, World?", [secret]
        )

    def test_signature(self):
        expected = "sha256=" + hmac_digest(SECRET, BODY).hex()
        headers = self.scheme.sign(BODY, SECRET)
        self.assertEqual(headers, {"X-Hub-Signature-256": expected})
        self.assertAccepted(self.scheme, headers)
        # header names are case-insensitive, in a dict or in werkzeug's Headers
        self.assertAccepted(self.scheme, {"x-hub-signature-256": expected})
        self.assertAccepted(self.scheme, Headers([("X-HUB-SIGNATURE-256", expected)]))
        # uppercase hex is the same signature
        upper = "sha256=" + hmac_digest(SECRET, BODY).hex().upper()
        self.assertAccepted(self.scheme, {"X-Hub-Signature-256": upper})

    def test_delivery_header(self):
        headers = self.scheme.sign(BODY, SECRET, delivery_id="72d3162e-cc78")
        self.assertEqual(headers["X-GitHub-Delivery"], "72d3162e-cc78")

    def test_refusals(self):
        headers = self.scheme.sign(BODY, SECRET)
        signature = headers["X-Hub-Signature-256"]
        invalid, missing = WebhookSignatureInvalid, WebhookSignatureMissing
        message = self.assertRefused(invalid, self.scheme, headers, BODY + b" ")
        self.assertIn("X-Hub-Signature-256", message)
        self.assertNotIn(signature[7:], message)
        self.assertRefused(invalid, self.scheme, headers, secrets=["wrong"])
        message = self.assertRefused(missing, self.scheme, {})
        self.assertIn("X-Hub-Signature-256", message)
        self.assertRefused(missing, self.scheme, {"X-Hub-Signature-256": " "})
        self.assertRefused(missing, self.scheme, {"X-Hub-Signature": signature})
        for malformed in (
            signature[7:],  # no sha256= prefix
            "sha1=" + signature[7:],
            "sha512=" + signature[7:],  # a prefix of the same length
            "SHA256=" + signature[7:],
            "sha256=" + signature[7:-1],  # odd length
            "sha256=" + "zz" * 32,
            "sha256=",
        ):
            self.assertRefused(invalid, self.scheme, {"X-Hub-Signature-256": malformed})

    def test_secrets(self):
        headers = self.scheme.sign(BODY, PREVIOUS)
        self.assertAccepted(self.scheme, headers, secrets=[SECRET, PREVIOUS])
        self.assertAccepted(self.scheme, headers, secrets=[None, "", PREVIOUS])
        self.assertRefused(WebhookSignatureInvalid, self.scheme, headers)
        for no_secret in ([], [None, ""], None):
            message = self.assertRefused(
                WebhookSignatureInvalid, self.scheme, headers, secrets=no_secret or ()
            )
            self.assertIn("no signing secret", message)
            with self.assertRaises(WebhookSignatureInvalid):
                self.scheme.verify(headers, BODY, no_secret, now=NOW)


class TestStripe(SignatureCase):
    scheme = get_scheme("stripe")

    def _header(self, timestamp=NOW, body=BODY, secret=SECRET):
        signature = hmac_digest(secret, f"{timestamp}.".encode() + body).hex()
        return f"t={timestamp},v1={signature}"

    def test_library_vector(self):
        # Stripe's documentation publishes no secret/payload/signature triple:
        # the header shown in https://docs.stripe.com/webhooks#verify-manually
        # comes without its payload and secret (see test_documented_header).
        # Fixture of Stripe's official .NET library:
        # stripe/stripe-dotnet src/StripeTests/Services/Events/EventUtilityTest.cs
        # with the body src/StripeTests/Resources/event_test_signature.json
        payload = (
            b'{\n  "id": "evt_123",\n  "object": "event",\n'
            b'  "account": "acct_123",\n  "api_version": "2017-05-25",\n'
            b'  "created": 1533204620,\n  "data": {\n    "object": {\n'
            b'      "id": "cus_123",\n      "object": "customer",\n'
            b'      "created": 123456789,\n      "email": "test@stripe.com",\n'
            b'      "livemode": false,\n      "metadata": {}\n    }\n  },\n'
            b'  "livemode": false,\n  "pending_webhooks": 1,\n  "request": {\n'
            b'    "id": "req_123",\n    "idempotency_key": "idempotency-key-123"\n'
            b'  },\n  "type": "customer.created"\n}\n'
        )
        header = (
            "t=1533204620,"
            "v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7,"
            "v0=63f3a72374a733066c4be69ed7f8e5ac85c22c9f0a6a612ab9a025a9e4ee7eef"
        )
        headers = {"Stripe-Signature": header}
        timestamp = 1533204620
        # ConstructEvent: accepted 100 seconds later with a tolerance of 300
        self.assertAccepted(
            self.scheme, headers, payload, ["webhook_secret"], now=timestamp + 100
        )
        # RejectOutdatedTimestamp: refused 400 seconds later
        self.assertRefused(
            WebhookTimestampOutOfTolerance,
            self.scheme,
            headers,
            payload,
            ["webhook_secret"],
            now=timestamp + 400,
        )
        # RejectIncorrectSignature: the body is changed
        self.assertRefused(
            WebhookSignatureInvalid,
            self.scheme,
            headers,
            payload + b"this_changes_the_json",
            ["webhook_secret"],
            now=timestamp,
        )
        self.assertEqual(
            self.scheme.sign(payload, "webhook_secret", now=timestamp),
            {"Stripe-Signature": header.rsplit(",", 1)[0]},
        )

    def test_documented_header(self):
        # the example header of https://docs.stripe.com/webhooks#verify-manually
        # is well-formed; we cannot know its body and secret, so it is invalid
        header = (
            "t=1492774577,"
            "v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd,"
            "v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39"
        )
        self.assertRefused(
            WebhookSignatureInvalid,
            self.scheme,
            {"Stripe-Signature": header},
            now=1492774577,
        )

    def test_signature(self):
        headers = self.scheme.sign(BODY, SECRET, now=NOW)
        self.assertEqual(headers, {"Stripe-Signature": self._header()})
        self.assertAccepted(self.scheme, headers)
        self.assertAccepted(self.scheme, {"stripe-signature": self._header()})
        # a float now is truncated to the second, as Stripe sends
        self.assertEqual(self.scheme.sign(BODY, SECRET, now=NOW + 0.9), headers)

    def test_several_signatures(self):
        # during a rotation Stripe sends one v1 per secret; v0 is ignored
        header = (
            f"t={NOW},v1={'0' * 64},v0={'1' * 64},"
            f"v1={self._header(secret=PREVIOUS).split('v1=')[1]}"
        )
        self.assertAccepted(
            self.scheme, {"Stripe-Signature": header}, secrets=[PREVIOUS]
        )
        self.assertAccepted(
            self.scheme,
            {"Stripe-Signature": " " + header.replace(",", " , ")},
            secrets=[PREVIOUS],
        )
        self.assertRefused(
            WebhookSignatureInvalid, self.scheme, {"Stripe-Signature": header}
        )

    def test_previous_secret(self):
        headers = {"Stripe-Signature": self._header(secret=PREVIOUS)}
        self.assertAccepted(self.scheme, headers, secrets=[SECRET, PREVIOUS])
        self.assertRefused(WebhookSignatureInvalid, self.scheme, headers)

    def test_refusals(self):
        headers = {"Stripe-Signature": self._header()}
        signature = self._header().split("v1=")[1]
        invalid, missing = WebhookSignatureInvalid, WebhookSignatureMissing
        message = self.assertRefused(invalid, self.scheme, headers, BODY + b"\n")
        self.assertIn("Stripe-Signature", message)
        self.assertNotIn(signature, message)
        self.assertRefused(invalid, self.scheme, headers, secrets=["wrong"])
        # the timestamp is signed too
        forged = {"Stripe-Signature": f"t={NOW + 1},v1={signature}"}
        self.assertRefused(invalid, self.scheme, forged)
        self.assertRefused(
            invalid, self.scheme, {"Stripe-Signature": f"t={NOW},v1=zz{signature}"}
        )
        message = self.assertRefused(missing, self.scheme, {})
        self.assertIn("Stripe-Signature", message)
        for malformed in (
            "",
            "bad_header",
            "i'm not even a real signature header",
            f"v1={signature}",  # no t=
            f"t=,v1={signature}",
            f"t=now,v1={signature}",
            f"t={NOW}.5,v1={signature}",
            f"t=-{NOW},v1={signature}",
            f"t=\u0661\u0662\u0663,v1={signature}",  # Arabic-Indic digits
            f"t={NOW}",  # no v1=
            f"t={NOW},v0={signature}",
            f"t={NOW},v1",
            ",,",
        ):
            message = self.assertRefused(
                missing, self.scheme, {"Stripe-Signature": malformed}
            )
            self.assertIn("Stripe-Signature", message)

    def test_tolerance(self):
        headers = {"Stripe-Signature": self._header()}
        self.assertAccepted(self.scheme, headers, now=NOW + 300)
        self.assertAccepted(self.scheme, headers, now=NOW - 300)
        stale = WebhookTimestampOutOfTolerance
        message = self.assertRefused(stale, self.scheme, headers, now=NOW + 301)
        self.assertIn("Stripe-Signature", message)
        self.assertIn("300", message)
        # from the future (a sender's clock ahead of ours)
        self.assertRefused(stale, self.scheme, headers, now=NOW - 301)
        # signature first: a forged stale call is only told it is invalid
        self.assertRefused(
            WebhookSignatureInvalid, self.scheme, headers, BODY + b" ", now=NOW + 3600
        )
        self.assertRefused(
            WebhookSignatureInvalid,
            self.scheme,
            headers,
            secrets=["wrong"],
            now=NOW - 3600,
        )
        strict = get_scheme("stripe", SignatureSettings(tolerance=10))
        self.assertAccepted(strict, headers, now=NOW + 10)
        self.assertRefused(stale, strict, headers, now=NOW + 11)
        unchecked = get_scheme("stripe", SignatureSettings(tolerance=0))
        self.assertAccepted(unchecked, headers, now=NOW + 10**8)


class TestShopify(SignatureCase):
    scheme = get_scheme("shopify")

    def test_library_vectors(self):
        # Shopify's documentation publishes no fixed example; fixtures of its
        # official libraries:
        # Shopify/shopify-app-js packages/apps/shopify-api/lib/webhooks/__tests__/
        # validate.test.ts (secret from lib/__tests__/test-config.ts)
        self.assertAccepted(
            self.scheme,
            {"X-Shopify-Hmac-Sha256": "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="},
            b'{"foo": "bar"}',
            ["test_secret_key"],
        )
        # Shopify/shopify-api-php tests/Webhooks/RegistryTest.php ($processHeaders,
        # $processBody json-encoded; secret from tests/BaseTestCase.php)
        headers = {
            "X-Shopify-Hmac-Sha256": "/Redz4YXHLnSmmSN8grr5/Jl/Ua3d7yX3iWbjb8R8wo="
        }
        self.assertAccepted(self.scheme, headers, b'{"foo":"bar"}', ["steffi"])
        self.assertEqual(self.scheme.sign(b'{"foo":"bar"}', "steffi"), headers)
        # testProcessThrowsErrorOnInvalidHmac
        self.assertRefused(
            WebhookSignatureInvalid,
            self.scheme,
            {"X-Shopify-Hmac-Sha256": "whoops_this_is_wrong"},
            b'{"foo":"bar"}',
            ["steffi"],
        )

    def test_signature(self):
        expected = base64.b64encode(hmac_digest(SECRET, BODY)).decode()
        headers = self.scheme.sign(BODY, SECRET)
        self.assertEqual(headers, {"X-Shopify-Hmac-Sha256": expected})
        self.assertAccepted(self.scheme, headers)
        self.assertAccepted(self.scheme, {"x-shopify-hmac-sha256": expected})
        headers = self.scheme.sign(BODY, SECRET, delivery_id="b54557e4")
        self.assertEqual(headers["X-Shopify-Webhook-Id"], "b54557e4")

    def test_previous_secret(self):
        headers = self.scheme.sign(BODY, PREVIOUS)
        self.assertAccepted(self.scheme, headers, secrets=[SECRET, PREVIOUS])
        self.assertRefused(WebhookSignatureInvalid, self.scheme, headers)

    def test_refusals(self):
        headers = self.scheme.sign(BODY, SECRET)
        signature = headers["X-Shopify-Hmac-Sha256"]
        invalid, missing = WebhookSignatureInvalid, WebhookSignatureMissing
        message = self.assertRefused(invalid, self.scheme, headers, BODY[:-1])
        self.assertIn("X-Shopify-Hmac-Sha256", message)
        self.assertNotIn(signature, message)
        self.assertRefused(invalid, self.scheme, headers, secrets=["wrong"])
        message = self.assertRefused(missing, self.scheme, {"X-Shopify-Topic": "x"})
        self.assertIn("X-Shopify-Hmac-Sha256", message)
        for malformed in (
            hmac_digest(SECRET, BODY).hex(),  # hex instead of base64
            signature.rstrip("="),  # padding removed
            signature[:-4],
            "not base64!",
            "sha256=" + signature,
        ):
            self.assertRefused(
                invalid, self.scheme, {"X-Shopify-Hmac-Sha256": malformed}
            )


class TestStandard(SignatureCase):
    scheme = get_scheme("standard")
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()

    def _headers(self, msg_id="msg_1", timestamp=NOW, body=BODY, key=b"k" * 32):
        content = f"{msg_id}.{timestamp}.".encode() + body
        signature = base64.b64encode(hmac_digest(key, content)).decode()
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": "v1," + signature,
        }

    def test_reference_vector(self):
        # Test vector of the Standard Webhooks reference libraries:
        # standard-webhooks/standard-webhooks libraries/python/tests/
        # test_webhooks.py (test_sign_function), and libraries/go/webhook_test.go
        # (TestWebhookSign). The specification (spec/standard-webhooks.md) shows
        # headers but no secret to check them with.
        secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
        timestamp = 1614265330
        payload = b'{"test": 2432232314}'
        expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": expected,
        }
        self.assertEqual(
            self.scheme.sign(payload, secret, now=timestamp, delivery_id=msg_id),
            headers,
        )
        self.assertAccepted(self.scheme, headers, payload, [secret], now=timestamp)
        # test_invalid_signature_raises_error: one character changed
        self.assertRefused(
            WebhookSignatureInvalid,
            self.scheme,
            {
                **headers,
                "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
            },
            payload,
            [secret],
            now=timestamp,
        )
        # test_multi_sig_payload_is_valid: the valid signature among others
        decoy = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
        multi = f"v1,{decoy} v2,{decoy} {expected} v1,{decoy}"
        self.assertAccepted(
            self.scheme,
            {**headers, "webhook-signature": multi},
            payload,
            [secret],
            now=timestamp,
        )
        # the reference libraries also decode a secret given without its
        # whsec_ prefix; this module uses such a secret as UTF-8 text instead
        self.assertRefused(
            WebhookSignatureInvalid,
            self.scheme,
            headers,
            payload,
            ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            now=timestamp,
        )

    def test_signature(self):
        headers = self.scheme.sign(BODY, self.secret, now=NOW, delivery_id="msg_1")
        self.assertEqual(headers, self._headers())
        self.assertAccepted(self.scheme, headers, secrets=[self.secret])
        self.assertAccepted(
            self.scheme,
            Headers([(name.upper(), value) for name, value in headers.items()]),
            secrets=[self.secret],
        )
        # without a delivery id, sign() makes one up
        headers = self.scheme.sign(BODY, self.secret, now=NOW)
        self.assertTrue(headers["webhook-id"].startswith("msg_"))
        self.assertAccepted(self.scheme, headers, secrets=[self.secret])

    def test_secret_without_prefix(self):
        # a secret without whsec_ is used as its UTF-8 bytes
        headers = self._headers(key=SECRET.encode())
        self.assertAccepted(self.scheme, headers, secrets=[SECRET])
        self.assertEqual(
            self.scheme.sign(BODY, SECRET, now=NOW, delivery_id="msg_1"), headers
        )
        self.assertEqual(
            self.scheme.make_key("whsec_" + base64.b64encode(b"\x00\xff").decode()),
            b"\x00\xff",
        )
        self.assertEqual(self.scheme.make_key("Ünïcode"), "Ünïcode".encode())
        for unusable in ("whsec_", "whsec_not base64!", "whsec_é"):
            with self.assertRaises(ValueError):
                self.scheme.make_key(unusable)
            # an unusable secret is skipped, as an empty one
            self.assertAccepted(
                self.scheme, self._headers(), secrets=[unusable, self.secret]
            )
            self.assertRefused(
                WebhookSignatureInvalid,
                self.scheme,
                self._headers(),
                secrets=[unusable],
            )

    def test_previous_secret(self):
        previous = "whsec_" + base64.b64encode(b"p" * 24).decode()
        headers = self._headers(key=b"p" * 24)
        self.assertAccepted(self.scheme, headers, secrets=[self.secret, previous])
        self.assertRefused(
            WebhookSignatureInvalid, self.scheme, headers, secrets=[self.secret]
        )

    def test_refusals(self):
        headers = self._headers()
        secrets = [self.secret]
        invalid, missing = WebhookSignatureInvalid, WebhookSignatureMissing
        message = self.assertRefused(invalid, self.scheme, headers, b"{}", secrets)
        self.assertIn("webhook-signature", message)
        self.assertNotIn(headers["webhook-signature"][3:], message)
        self.assertRefused(
            invalid, self.scheme, headers, secrets=["whsec_" + "d3Jvbmc="]
        )
        # the id and the timestamp are signed too
        for name, value in (("webhook-id", "msg_2"), ("webhook-timestamp", NOW + 1)):
            self.assertRefused(
                invalid, self.scheme, {**headers, name: str(value)}, secrets=secrets
            )
        for name in headers:
            message = self.assertRefused(
                missing,
                self.scheme,
                {key: value for key, value in headers.items() if key != name},
                secrets=secrets,
            )
            self.assertIn(name, message)
            self.assertRefused(
                missing, self.scheme, {**headers, name: ""}, secrets=secrets
            )
        for timestamp in ("hello", "1.5e9", f"{NOW}.0", "-1", "\u0661\u0662"):
            message = self.assertRefused(
                missing,
                self.scheme,
                {**headers, "webhook-timestamp": timestamp},
                secrets=secrets,
            )
            self.assertIn("webhook-timestamp", message)
        signature = headers["webhook-signature"][3:]
        for malformed in (signature, "v2," + signature, "v1a," + signature, "v1"):
            message = self.assertRefused(
                missing,
                self.scheme,
                {**headers, "webhook-signature": malformed},
                secrets=secrets,
            )
            self.assertIn("webhook-signature", message)
        for bad in (
            "v1,not base64!",
            "v1,",
            "v1," + signature[:-2],
            "v1,," + signature,
        ):
            self.assertRefused(
                invalid,
                self.scheme,
                {**headers, "webhook-signature": bad},
                secrets=secrets,
            )

    def test_tolerance(self):
        headers = self._headers()
        secrets = [self.secret]
        stale = WebhookTimestampOutOfTolerance
        self.assertAccepted(self.scheme, headers, secrets=secrets, now=NOW + 300)
        message = self.assertRefused(
            stale, self.scheme, headers, secrets=secrets, now=NOW + 301
        )
        self.assertIn("webhook-timestamp", message)
        self.assertRefused(stale, self.scheme, headers, secrets=secrets, now=NOW - 301)
        self.assertRefused(
            WebhookSignatureInvalid,
            self.scheme,
            headers,
            b"{}",
            secrets,
            now=NOW + 10**6,
        )
        lenient = get_scheme("standard", SignatureSettings(tolerance=3600))
        self.assertAccepted(lenient, headers, secrets=secrets, now=NOW - 3600)


class TestCustomHmac(SignatureCase):
    def test_rfc_vectors(self):
        # HMAC test case 2 of RFC 4231 (SHA-256, SHA-512) and RFC 2202 (SHA-1):
        # https://www.rfc-editor.org/rfc/rfc4231#section-4.3
        # https://www.rfc-editor.org/rfc/rfc2202#section-3
        data = b"what do ya want for nothing?"
        for algorithm, expected in (
            ("sha1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            (
                "sha256",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                "sha512",
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ),
        ):
            scheme = get_scheme("hmac", SignatureSettings(algorithm=algorithm))
            self.assertEqual(scheme.sign(data, "Jefe"), {"X-Signature": expected})
            self.assertAccepted(scheme, {"X-Signature": expected}, data, ["Jefe"])

    def test_algorithms_encodings_prefixes(self):
        for algorithm, hash_function in (
            ("sha256", hashlib.sha256),
            ("sha1", hashlib.sha1),
            ("sha512", hashlib.sha512),
        ):
            digest = hmac_digest(SECRET, BODY, hash_function)
            for encoding, encoded in (
                ("hex", digest.hex()),
                ("base64", base64.b64encode(digest).decode()),
            ):
                for prefix in ("", f"{algorithm}="):
                    with self.subTest(
                        algorithm=algorithm, encoding=encoding, prefix=prefix
                    ):
                        settings = SignatureSettings(
                            header="X-Acme-Signature",
                            algorithm=algorithm,
                            encoding=encoding,
                            prefix=prefix,
                        )
                        scheme = get_scheme("hmac", settings)
                        headers = {"X-Acme-Signature": prefix + encoded}
                        self.assertEqual(scheme.sign(BODY, SECRET), headers)
                        self.assertAccepted(scheme, headers)
                        self.assertAccepted(
                            scheme, {"x-acme-signature": prefix + encoded}
                        )
                        self.assertAccepted(
                            scheme,
                            scheme.sign(BODY, PREVIOUS),
                            secrets=[SECRET, PREVIOUS],
                        )
                        invalid = WebhookSignatureInvalid
                        self.assertRefused(invalid, scheme, headers, BODY + b"!")
                        self.assertRefused(invalid, scheme, headers, secrets=["x"])
                        message = self.assertRefused(
                            WebhookSignatureMissing, scheme, {"X-Signature": encoded}
                        )
                        self.assertIn("X-Acme-Signature", message)
                        if prefix:
                            # the prefix is required when configured
                            self.assertRefused(
                                invalid, scheme, {"X-Acme-Signature": encoded}
                            )
                        else:
                            self.assertRefused(
                                invalid,
                                scheme,
                                {"X-Acme-Signature": f"{algorithm}={encoded}"},
                            )

    def test_other_algorithm_refused(self):
        # a SHA-1 signature is no SHA-256 signature
        scheme = get_scheme("hmac")
        headers = {"X-Signature": hmac_digest(SECRET, BODY, hashlib.sha1).hex()}
        self.assertRefused(WebhookSignatureInvalid, scheme, headers)
        self.assertAccepted(scheme, {"X-Signature": hmac_digest(SECRET, BODY).hex()})

    def test_bad_settings(self):
        for settings in (
            SignatureSettings(algorithm="md5"),
            SignatureSettings(encoding="base32"),
            SignatureSettings(header=""),
            SignatureSettings(header="  "),
        ):
            with self.assertRaises(ValueError):
                get_scheme("hmac", settings)


class TestHostileInput(SignatureCase):
    """Whatever a caller sends, verify() answers with one of the three errors."""

    def test_hostile_headers(self):
        standard_secret = generate_secret("standard")
        schemes = [get_scheme(name) for name in SCHEMES if name != "hmac"] + [
            get_scheme("hmac", SignatureSettings(encoding=encoding, prefix=prefix))
            for encoding in ("hex", "base64")
            for prefix in ("", "sha256=")
        ]
        values = [
            "",
            " ",
            "\t",
            ",",
            "=",
            "é",
            "\u2603",
            "\x00",
            "\udcff",  # a lone surrogate
            "sha256=é",
            "sha256=" + "é" * 64,
            "v1,é",
            "v1,\u2603\u2603",
            "t=é,v1=é",
            f"t={NOW},v1=é",
            f"t={NOW},v1=\udcff",
            "v1,\udcff",
            "t=1,v1=" + "0" * 64,
            "t=" + "9" * 5000 + ",v1=" + "0" * 64,
            "t=" + "1" * 20 + ",v1=" + "0" * 64,
            "a" * 100_000,
            "sha256=" + "ab" * 50_000,
            "v1=" + ",v1=".join(["00"] * 10_000),
            "v1," + "=" * 10_000,
            " ".join(["v1,AAAA"] * 10_000),
            "t=1700000000," * 10_000,
            "%s%n%x{}",
        ]
        header_names = {"x-signature", "webhook-id", "webhook-timestamp", "x-unrelated"}
        for scheme in schemes:
            header_names.update(scheme.get_header_names())
        for scheme in schemes:
            for value in values:
                for headers in (
                    {name: value for name in header_names},
                    Headers([(name, value) for name in sorted(header_names)]),
                    {
                        name: value.encode("utf-8", "surrogatepass")
                        for name in header_names
                    },
                ):
                    with self.assertRaises(SIGNATURE_ERRORS):
                        scheme.verify(headers, BODY, [SECRET, standard_secret], now=NOW)
            headers = {name: "v1,AAAA" for name in header_names}
            for body in (b"", None, "é".encode(), b"\xff" * 1000, bytearray(b"{}")):
                with self.assertRaises(SIGNATURE_ERRORS):
                    scheme.verify(headers, body, [SECRET, standard_secret], now=NOW)

    def test_one_hostile_header(self):
        # each header of a genuine call replaced, the others left well-formed
        values = ["", "é", "\u2603", "\udcff", "\x00", "x" * 100_000, "v1,\udcff"]
        values += [f"t={NOW},v1=\udcff", f"t={NOW},v1={'é' * 64}", f"{NOW}\udcff"]
        for name in SCHEMES:
            scheme = get_scheme(name)
            genuine = scheme.sign(BODY, SECRET, now=NOW, delivery_id="msg_1")
            self.assertAccepted(scheme, genuine)
            # delivery headers are not signed: GitHub's may be anything;
            # Standard Webhooks signs its id and timestamp headers
            signed = set(scheme.get_header_names())
            if name == "standard":
                signed |= {"webhook-id", "webhook-timestamp"}
            read = [h for h in genuine if h.lower() in signed]
            self.assertTrue(read)
            for header in read:
                for value in values:
                    with self.assertRaises(SIGNATURE_ERRORS):
                        scheme.verify(
                            {**genuine, header: value}, BODY, [SECRET], now=NOW
                        )

    def test_no_headers(self):
        for name in SCHEMES:
            for headers in ({}, None, Headers(), []):
                with self.assertRaises(WebhookSignatureMissing):
                    get_scheme(name).verify(headers, BODY, [SECRET], now=NOW)

    def test_non_ascii_delivery_id(self):
        # a sender may put any text in webhook-id: it is signed as sent
        scheme = get_scheme("standard")
        headers = scheme.sign(BODY, SECRET, now=NOW, delivery_id="msg_é☃")
        self.assertAccepted(scheme, headers)
        self.assertRefused(
            WebhookSignatureInvalid,
            scheme,
            {**headers, "webhook-id": "msg_e☃"},
        )
