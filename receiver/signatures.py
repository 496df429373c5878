# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook signature schemes: was this call sent by who holds the secret?

A provider that signs its webhooks computes an HMAC of the request with a
secret shared with the receiver and sends it in a header. Each provider
does it its own way; each way is a :class:`SignatureScheme` subclass,
registered in :data:`SCHEMES` by the :func:`register_scheme` decorator. The
webhook's signature selection lists them (:func:`get_scheme_selection`) and
the pipeline calls :meth:`SignatureScheme.verify` with the request's
headers, raw body and the webhook's secrets:

>>> github = get_scheme("github")
>>> secret = "It's a Secret to Everybody"
>>> headers = github.sign(b"Hello, World!", secret)
>>> headers["X-Hub-Signature-256"]
'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
>>> github.verify(headers, b"Hello, World!", [secret])
>>> try:
...     github.verify(headers, b"Hello, World?", [secret])
... except WebhookSignatureInvalid as exc:
...     print(exc.status, exc.code)
401 signature_invalid

``verify()`` returns nothing when one of the secrets signed the call and
raises otherwise, always one of three errors of :mod:`.errors`:
``WebhookSignatureMissing`` (a header is absent or unreadable),
``WebhookSignatureInvalid`` (no secret gives this signature) and
``WebhookTimestampOutOfTolerance`` (a genuine signature, but of a call sent
too long ago or too far in the future, as a replayed call would be). The
signature is checked before the timestamp, so that a forged call never
learns more than "invalid". ``secrets`` holds the current secret first and
then, during a rotation, the previous one.

Adding a provider
-----------------

Write a subclass with a unique ``name`` (the selection value), a ``label``
and the methods of :class:`SignatureScheme`, and decorate it with
:func:`register_scheme`, here or in an addon depending on this one
(``from odoo.addons.webhook_automation.receiver.signatures import ...``):
the webhook form offers it at once. ``get_header_names()`` lists the
headers it reads, masked in the call logs. A provider that sends one HMAC
of the raw body in one header only needs class attributes on
:class:`BodyHmacScheme`:

>>> @register_scheme
... class AcmeScheme(BodyHmacScheme):
...     name = "acme"
...     label = "Acme (X-Acme-Signature)"
...     header = "X-Acme-Signature"
...     encoding = "base64"
>>> ("acme", "Acme (X-Acme-Signature)") in get_scheme_selection()
True
>>> get_scheme("acme").sign(b"{}", "s3cret")
{'X-Acme-Signature': 'rb3hzkDInBQhVofV12Kkffbfrvz61h4uhnGP/ISYVxs='}
>>> del SCHEMES["acme"]  # this was only an example

A provider with a timestamp or several signatures in its header overrides
:meth:`~SignatureScheme.verify` and :meth:`~SignatureScheme.sign`, as
:class:`StripeScheme` and :class:`StandardScheme` do, with the helpers of
the base class: :meth:`~SignatureScheme._get_header` for the headers,
:meth:`~SignatureScheme._get_keys` for the secrets,
:meth:`~SignatureScheme._check_signatures` for the constant-time comparison
and :meth:`~SignatureScheme._check_timestamp` for the tolerance. Only raise
the three errors above: ``verify()`` is fed hostile input.
"""

import base64
import binascii
import hashlib
import hmac
import secrets as secrets_module
import time
from dataclasses import dataclass

from odoo.tools.translate import LazyTranslate

from .errors import (
    WebhookSignatureInvalid,
    WebhookSignatureMissing,
    WebhookTimestampOutOfTolerance,
)

_lt = LazyTranslate(__name__)

# selection value -> scheme class, filled by @register_scheme
SCHEMES = {}
# hash functions and signature encodings of the configurable "hmac" scheme
ALGORITHMS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1, "sha512": hashlib.sha512}
ENCODINGS = ("hex", "base64")
STANDARD_SECRET_PREFIX = "whsec_"
# longest timestamp we parse: more digits are no time of this world, and
# int() refuses strings of thousands of digits anyway
MAX_TIMESTAMP_DIGITS = 15


@dataclass(frozen=True)
class SignatureSettings:
    """What a webhook configures of its scheme; most schemes need none of it."""

    header: str = "X-Signature"  # hmac only
    algorithm: str = "sha256"  # hmac only: sha256, sha1, sha512
    encoding: str = "hex"  # hmac only: hex, base64
    # hmac only, e.g. "sha256=": when set, a signature without it is invalid
    prefix: str = ""
    # seconds between a signed timestamp and now, either way (stripe, standard);
    # 0 turns the check off
    tolerance: int = 300


def register_scheme(cls):
    """Class decorator: add a :class:`SignatureScheme` subclass to :data:`SCHEMES`."""
    if not cls.name or not cls.label:
        raise TypeError(f"{cls.__name__} needs a name and a label to be registered")
    if cls.name == "none":
        raise ValueError('"none" is the selection value of unsigned webhooks')
    registered = SCHEMES.get(cls.name)
    if registered is not None and registered is not cls:
        raise ValueError(
            f"signature scheme {cls.name!r} is already {registered.__qualname__}"
        )
    SCHEMES[cls.name] = cls
    return cls


def get_scheme(name, settings=None):
    """Return the scheme instance for a selection value, or None for "none"/empty.

    >>> get_scheme("none") is None
    True
    >>> get_scheme("stripe").name
    'stripe'
    """
    if not name or name == "none":
        return None
    try:
        scheme_class = SCHEMES[name]
    except KeyError:
        raise ValueError(f"unknown signature scheme {name!r}") from None
    return scheme_class(settings)


def get_scheme_selection():
    """Return [(name, label)] of the registered schemes, for a selection field."""
    return [(name, cls.label) for name, cls in SCHEMES.items()]


def generate_secret(scheme_name=None):
    """Return a new strong secret (secrets module).

    For "standard": ``whsec_`` and the base64 of 32 random bytes, the format
    of the specification; else a 43 characters url-safe token.

    >>> generate_secret("standard").startswith("whsec_")
    True
    >>> len(generate_secret("github"))
    43
    """
    if scheme_name == "standard":
        key = base64.b64encode(secrets_module.token_bytes(32)).decode()
        return STANDARD_SECRET_PREFIX + key
    return secrets_module.token_urlsafe(32)


def _lower_headers(headers):
    """Return a dict of ``headers`` (any mapping) keyed by lower-case name."""
    if not headers:
        return {}
    items = headers.items() if hasattr(headers, "items") else headers
    lowered = {}
    for name, value in items:
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("latin-1")
        lowered[str(name).lower()] = str(value)
    return lowered


def _to_bytes(body):
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    return bytes(body)


def _header_bytes(value):
    """Return the bytes a header value was sent as.

    WSGI servers decode header bytes as latin-1; a plain dict may hold any
    text, sent as UTF-8 (lone surrogates included: this never raises).
    """
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _decode(signature, encoding):
    """Return the bytes of an encoded signature, or None if it is not valid."""
    try:
        data = signature.encode("ascii")
        if encoding == "base64":
            return base64.b64decode(data, validate=True)
        return binascii.a2b_hex(data)
    except ValueError:  # binascii.Error, UnicodeEncodeError
        return None


def _encode(digest, encoding):
    if encoding == "base64":
        return base64.b64encode(digest).decode()
    return digest.hex()


def _parse_timestamp(value):
    """Return the int of a string of ASCII digits, or None."""
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) <= MAX_TIMESTAMP_DIGITS:
        return int(value)
    return None


class SignatureScheme:
    """A way of signing webhook calls; subclass it to support a provider."""

    name = None  # selection value
    label = None  # human label of the selection
    # where the provider puts its delivery id: ("header", name) or
    # ("payload", dotted path), or None
    delivery_id = None
    algorithm = "sha256"

    def __init__(self, settings=None):
        self.settings = settings or SignatureSettings()

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"

    def get_header_names(self):
        """Return the (lower-case) names of the headers holding signatures.

        Call logs mask their values, as they do for other credentials.
        """
        raise NotImplementedError

    def make_key(self, secret):
        """Return the HMAC key (bytes) of a secret (str).

        Raise ValueError if the secret cannot be used as a key.
        """
        if isinstance(secret, bytes | bytearray):
            return bytes(secret)
        return secret.encode()

    def verify(self, headers, body, secrets, now=None):
        """Check the call is signed with one of ``secrets``; raise otherwise."""
        raise NotImplementedError

    def sign(self, body, secret, now=None, delivery_id=None):
        """Return the headers (dict) a sender signing ``body`` with ``secret`` sends.

        ``now`` (default: the current time) dates the signature of the
        schemes with a timestamp; ``delivery_id`` fills the delivery header
        of the schemes that have one (``standard`` makes one up without it).
        """
        raise NotImplementedError

    # helpers of the subclasses

    def _digest(self, key, content):
        return hmac.new(key, content, ALGORITHMS[self.algorithm]).digest()

    def _get_header(self, lowered_headers, header):
        """Return the stripped value of a header; raise if it is absent or empty."""
        value = lowered_headers.get(header.lower(), "").strip()
        if not value:
            raise WebhookSignatureMissing(
                _lt(
                    "The %(header)s header is missing: this webhook only accepts "
                    "signed calls.",
                    header=header,
                )
            )
        return value

    def _get_keys(self, secrets, header):
        """Return the keys of the usable secrets; raise if there is none."""
        if isinstance(secrets, str | bytes):
            secrets = [secrets]
        keys = []
        for secret in secrets or ():
            if not secret:
                continue
            try:
                key = self.make_key(secret)
            except ValueError:
                continue
            if key:
                keys.append(key)
        if not keys:
            raise WebhookSignatureInvalid(
                _lt(
                    "The signature in the %(header)s header cannot be checked: "
                    "no signing secret is configured on this webhook.",
                    header=header,
                )
            )
        return keys

    def _check_signatures(self, keys, content, signatures, header):
        """Raise unless one of ``signatures`` (bytes) is the HMAC of ``content``.

        Every comparison is done in constant time.
        """
        matched = False
        for key in keys:
            expected = self._digest(key, content)
            for signature in signatures:
                if signature is not None and hmac.compare_digest(expected, signature):
                    matched = True
        if not matched:
            raise WebhookSignatureInvalid(
                _lt(
                    "The signature in the %(header)s header does not match the "
                    "request body.",
                    header=header,
                )
            )

    def _check_timestamp(self, timestamp, now, header):
        """Raise if ``timestamp`` is further from ``now`` than the tolerance."""
        tolerance = self.settings.tolerance
        if now is None:
            now = time.time()
        if (tolerance or 0) > 0 and abs(now - timestamp) > tolerance:
            raise WebhookTimestampOutOfTolerance(
                _lt(
                    "The timestamp in the %(header)s header is %(delta)s seconds "
                    "away from the receiver's clock; at most %(tolerance)s seconds "
                    "are accepted. Send the call again, or check the sender's clock.",
                    header=header,
                    delta=int(abs(now - timestamp)),
                    tolerance=tolerance,
                )
            )


class BodyHmacScheme(SignatureScheme):
    """One HMAC of the raw body, encoded in one header, after an optional prefix.

    Subclasses set ``header``, and ``algorithm``, ``encoding`` and ``prefix``
    when they differ from the defaults. Not registered itself.
    """

    header = None
    encoding = "hex"
    prefix = ""

    def get_header_names(self):
        return [self.header.lower()]

    def verify(self, headers, body, secrets, now=None):
        value = self._get_header(_lower_headers(headers), self.header)
        keys = self._get_keys(secrets, self.header)
        signature = None
        if value.startswith(self.prefix):
            signature = _decode(value[len(self.prefix) :], self.encoding)
        self._check_signatures(keys, _to_bytes(body), [signature], self.header)

    def sign(self, body, secret, now=None, delivery_id=None):
        digest = self._digest(self.make_key(secret), _to_bytes(body))
        headers = {self.header: self.prefix + _encode(digest, self.encoding)}
        if delivery_id is not None and self.delivery_id:
            headers[self.delivery_id[1]] = str(delivery_id)
        return headers


@register_scheme
class GithubScheme(BodyHmacScheme):
    """GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``."""

    name = "github"
    label = "GitHub (X-Hub-Signature-256)"
    delivery_id = ("header", "X-GitHub-Delivery")
    header = "X-Hub-Signature-256"
    prefix = "sha256="


@register_scheme
class StripeScheme(SignatureScheme):
    """Stripe: ``Stripe-Signature: t=<unix time>,v1=<hex>[,v1=<hex>...]``.

    The signed content is ``<t>.<body>``; any ``v1`` may match (Stripe sends
    one per active secret), other schemes (``v0``) are ignored.
    """

    name = "stripe"
    label = "Stripe (Stripe-Signature)"
    delivery_id = ("payload", "id")
    header = "Stripe-Signature"

    def get_header_names(self):
        return [self.header.lower()]

    def _parse(self, value):
        """Return (raw t, t, [v1 signature bytes]) of the header value."""
        raw_timestamp = None
        signatures = []
        for item in value.split(","):
            key, sep, item_value = item.partition("=")
            key, item_value = key.strip(), item_value.strip()
            if not sep:
                continue
            if key == "t" and raw_timestamp is None:
                raw_timestamp = item_value
            elif key == "v1":
                signatures.append(_decode(item_value, "hex"))
        timestamp = _parse_timestamp(raw_timestamp or "")
        if timestamp is None or not signatures:
            raise WebhookSignatureMissing(
                _lt(
                    "The %(header)s header cannot be read: it must hold "
                    "t=<Unix time> and at least one v1=<signature>, separated by "
                    "commas.",
                    header=self.header,
                )
            )
        return raw_timestamp, timestamp, signatures

    def verify(self, headers, body, secrets, now=None):
        value = self._get_header(_lower_headers(headers), self.header)
        raw_timestamp, timestamp, signatures = self._parse(value)
        keys = self._get_keys(secrets, self.header)
        content = raw_timestamp.encode("ascii") + b"." + _to_bytes(body)
        self._check_signatures(keys, content, signatures, self.header)
        self._check_timestamp(timestamp, now, self.header)

    def sign(self, body, secret, now=None, delivery_id=None):
        timestamp = int(time.time() if now is None else now)
        content = f"{timestamp}.".encode() + _to_bytes(body)
        signature = self._digest(self.make_key(secret), content).hex()
        return {self.header: f"t={timestamp},v1={signature}"}


@register_scheme
class ShopifyScheme(BodyHmacScheme):
    """Shopify: ``X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>``."""

    name = "shopify"
    label = "Shopify (X-Shopify-Hmac-Sha256)"
    delivery_id = ("header", "X-Shopify-Webhook-Id")
    header = "X-Shopify-Hmac-Sha256"
    encoding = "base64"


@register_scheme
class StandardScheme(SignatureScheme):
    """Standard Webhooks (https://www.standardwebhooks.com), as sent by Svix.

    Headers ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``,
    the latter a space-separated list of ``v1,<base64>`` (any may match,
    other versions are ignored). The signed content is
    ``<id>.<timestamp>.<body>``; the key is the base64-decoded part of a
    ``whsec_`` secret.
    """

    name = "standard"
    label = "Standard Webhooks / Svix (webhook-signature)"
    delivery_id = ("header", "webhook-id")
    id_header = "webhook-id"
    timestamp_header = "webhook-timestamp"
    signature_header = "webhook-signature"

    def get_header_names(self):
        return [self.signature_header]

    def make_key(self, secret):
        """Return the key of a ``whsec_<base64>`` secret, or the UTF-8 of another.

        >>> get_scheme("standard").make_key("whsec_c2VjcmV0")
        b'secret'
        """
        if isinstance(secret, str) and secret.startswith(STANDARD_SECRET_PREFIX):
            encoded = secret[len(STANDARD_SECRET_PREFIX) :].strip()
            try:
                key = base64.b64decode(encoded.encode("ascii"), validate=True)
            except ValueError:
                raise ValueError("a whsec_ secret must be followed by base64") from None
            if not key:
                raise ValueError("a whsec_ secret must be followed by base64")
            return key
        return super().make_key(secret)

    def _signed_content(self, msg_id, raw_timestamp, body):
        return b".".join(
            [_header_bytes(msg_id), raw_timestamp.encode("ascii"), _to_bytes(body)]
        )

    def verify(self, headers, body, secrets, now=None):
        lowered = _lower_headers(headers)
        msg_id = self._get_header(lowered, self.id_header)
        raw_timestamp = self._get_header(lowered, self.timestamp_header)
        value = self._get_header(lowered, self.signature_header)
        timestamp = _parse_timestamp(raw_timestamp)
        if timestamp is None:
            raise WebhookSignatureMissing(
                _lt(
                    "The %(header)s header must hold a Unix time in seconds.",
                    header=self.timestamp_header,
                )
            )
        signatures = []
        for entry in value.split():
            version, sep, signature = entry.partition(",")
            if sep and version == "v1":
                signatures.append(_decode(signature, "base64"))
        if not signatures:
            raise WebhookSignatureMissing(
                _lt(
                    "The %(header)s header holds no v1,<signature> entry.",
                    header=self.signature_header,
                )
            )
        keys = self._get_keys(secrets, self.signature_header)
        content = self._signed_content(msg_id, raw_timestamp, body)
        self._check_signatures(keys, content, signatures, self.signature_header)
        self._check_timestamp(timestamp, now, self.timestamp_header)

    def sign(self, body, secret, now=None, delivery_id=None):
        timestamp = str(int(time.time() if now is None else now))
        if delivery_id is None:
            delivery_id = "msg_" + secrets_module.token_urlsafe(18)
        msg_id = str(delivery_id)
        content = self._signed_content(msg_id, timestamp, body)
        signature = base64.b64encode(self._digest(self.make_key(secret), content))
        return {
            self.id_header: msg_id,
            self.timestamp_header: timestamp,
            self.signature_header: "v1," + signature.decode(),
        }


@register_scheme
class HmacScheme(BodyHmacScheme):
    """Any other provider: header, algorithm, encoding and prefix configured."""

    name = "hmac"
    label = "Custom HMAC header"

    def __init__(self, settings=None):
        super().__init__(settings)
        settings = self.settings
        if not (settings.header or "").strip():
            raise ValueError("the hmac signature scheme needs a header name")
        if settings.algorithm not in ALGORITHMS:
            raise ValueError(
                f"unknown HMAC algorithm {settings.algorithm!r}, "
                f"expected one of {', '.join(ALGORITHMS)}"
            )
        if settings.encoding not in ENCODINGS:
            raise ValueError(
                f"unknown signature encoding {settings.encoding!r}, "
                f"expected one of {', '.join(ENCODINGS)}"
            )
        self.header = settings.header.strip()
        self.algorithm = settings.algorithm
        self.encoding = settings.encoding
        self.prefix = settings.prefix or ""
