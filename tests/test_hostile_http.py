# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Calls an attacker would send: what they get, what they cost, what they change.

Each test here reproduces a hole found by attacking the addon (issue 15,
findings 1 to 3): a body read whole before any check, query parameters
slipped into a signed payload, internal details in error messages.
"""

import json
import socket
import threading
import time

import pytest
import requests

from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import WebhookCase
from .server_harness import (
    CommittedData,
    ServerPool,
    in_process_job_runner_paused,
)
from .test_signatures import SECRET, github_headers

MIB = 1024 * 1024
# how much a hostile call may grow the server's peak memory
MEMORY_BOUND = 16 * MIB
CREATE_CONTACT = (
    "env['res.partner'].create({'name': payload['name'], "
    "'email': payload.get('email')})"
)


# ----------------------------------------------------------------------
# Finding 1: bodies are never read past the webhook's limit
# ----------------------------------------------------------------------


def _memory(pid):
    """Return the resident and peak memory (bytes) of process ``pid``."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _sep, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) * 1024
    return values["VmRSS"], values["VmHWM"]


def _reset_peak(pid):
    """Make the peak memory of ``pid`` its current memory (Linux clear_refs)."""
    with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as clear_refs:
        clear_refs.write("5")


def _send_raw(port, head, body_parts, timeout=60):
    """Send ``head`` then ``body_parts`` on one connection; return the answer.

    The body is sent from a thread while the answer is read, as a server
    may answer (and close) before the body ends. Returns the status code,
    the JSON body of the answer, and how many bytes of the body had been
    sent when the answer came: a server that reads the whole body answers
    only once it was all sent.
    """
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(head)
    sent = [0]

    def send_body():
        try:
            for part in body_parts:
                sock.sendall(part)
                sent[0] += len(part)
        except OSError:  # the server answered and closed: the rest is not wanted
            return

    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or not _complete(answer):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        sent_before_answer = sent[0]
    finally:
        sock.close()
        sender.join(timeout)
    head_part, _sep, body = answer.partition(b"\r\n\r\n")
    status = int(head_part.split(b" ", 2)[1])
    return status, json.loads(body) if body else None, sent_before_answer


def _complete(answer):
    """Tell whether an HTTP answer with a Content-Length has all its body."""
    head, _sep, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _sep, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _chunks(total, size=64 * 1024):
    """Yield ``total`` bytes as HTTP chunks of ``size``, then the last chunk."""
    chunk = b"%x\r\n" % size + b"x" * size + b"\r\n"
    for _index in range(total // size):
        yield chunk
    yield b"0\r\n\r\n"


def _multipart(total, boundary=b"hostile"):
    """Yield a multipart body of about ``total`` bytes (one big file field)."""
    yield (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    part = b"x" * (64 * 1024)
    for _index in range(total // len(part)):
        yield part
    yield b"\r\n--" + boundary + b"--\r\n"


def _multipart_length(total):
    return sum(len(part) for part in _multipart(total))


@pytest.fixture(scope="module")
def server():
    """A threaded Odoo server of the test database, in its own process."""
    with in_process_job_runner_paused(), ServerPool() as pool:
        yield pool.get(workers=0)


@pytest.fixture
def webhook(server):
    """A committed webhook limited to 1 MiB, deleted after the test."""
    data = CommittedData()
    try:
        yield data.create_webhook(
            actions=[{"state": "code", "code": "env['res.partner'].browse()"}],
            record_getter=False,
            webhook_max_body_size=MIB,
        )
    finally:
        data.cleanup()


def _measure(server, send):
    """Return what ``send()`` returned and how much it grew the peak memory."""
    rss_before, _peak = _memory(server.pid)
    _reset_peak(server.pid)
    result = send()
    time.sleep(0.2)  # let the server finish with the connection
    _rss, peak_after = _memory(server.pid)
    return result, peak_after - rss_before


def test_chunked_body_with_a_small_content_length_is_cut_at_the_limit(server, webhook):
    """64 MiB of chunks announced as 2 bytes: 413, read no further than 1 MiB."""
    head = (
        f"POST {webhook.path} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Content-Type: application/json\r\n"
        "Transfer-Encoding: Chunked\r\n"
        "Content-Length: 2\r\n\r\n"
    ).encode()
    (status, body, sent), growth = _measure(
        server, lambda: _send_raw(server.port, head, _chunks(64 * MIB))
    )
    assert status == 413, body
    assert sent < MEMORY_BOUND, f"answered after {sent / MIB:.1f} MiB were sent"
    assert body["error"]["code"] == "payload_too_large"
    assert growth < MEMORY_BOUND, f"peak memory grew by {growth / MIB:.1f} MiB"


def test_multipart_bodies_are_refused_unread(server, webhook):
    """Multipart to a 1 MiB webhook: 413 at 50 MiB, 415 within the limit; 404
    to unknown URLs. None of them is read."""
    for path, size, expected in (
        (webhook.path, 50 * MIB, (413, "payload_too_large")),
        (webhook.path, MIB // 2, (415, "unsupported_media_type")),
        ("/web/hook/no-such-webhook", 50 * MIB, (404, "not_found")),
        ("/web/hook/no/such/webhook", 50 * MIB, (404, "not_found")),
    ):
        head = (
            f"POST {path} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\n"
            "Content-Type: multipart/form-data; boundary=hostile\r\n"
            f"Content-Length: {_multipart_length(size)}\r\n\r\n"
        ).encode()
        (status, body, sent), growth = _measure(
            server,
            lambda head=head, size=size: _send_raw(server.port, head, _multipart(size)),
        )
        assert (status, body["error"]["code"]) == expected, (path, body)
        # answered without waiting for the body (a server reading it first
        # would answer after all of it, whatever it keeps in memory; socket
        # buffers take a few MiB before the answer, whatever the server does)
        if size > MEMORY_BOUND:
            assert sent < MEMORY_BOUND, (
                f"{path}: answered after {sent / MIB:.1f} MiB were sent"
            )
        assert growth < MEMORY_BOUND, (
            f"{path}: peak memory grew by {growth / MIB:.1f} MiB"
        )


def test_a_body_longer_than_its_content_length_is_not_read_further(server, webhook):
    """The declared length is what is read: the rest never reaches the payload."""
    body = b'{"name": "Declared"}'
    head = (
        f"POST {webhook.path} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    status, answer, _sent = _send_raw(server.port, head, [body, b"x" * MIB])
    assert status == 200, answer


# ----------------------------------------------------------------------
# Findings 2 and 3: signed means signed, no internal detail to callers
# ----------------------------------------------------------------------


class TestSignedMeansSigned(WebhookCase):
    def _signed_rule(self, **values):
        rule = self._create_webhook(
            record_getter=False,
            log_webhook_calls=True,
            webhook_signature_scheme="github",
            actions=[self._code_action(CREATE_CONTACT)],
            **values,
        )
        rule.webhook_signing_secret = SECRET
        return rule

    def _post(self, rule, body, **kwargs):
        return self._call(
            rule,
            data=body,
            headers={"Content-Type": "application/json", **github_headers(body)},
            **kwargs,
        )

    def test_query_parameters_do_not_reach_a_signed_payload(self):
        rule = self._signed_rule()
        body = json.dumps({"name": "Signed Sam"}).encode()
        response = self._post(
            rule, body, params={"email": "evil@example.com", "name": "Mallory"}
        )
        self.assertWebhookOk(response)
        contact = self.env["res.partner"].search([("name", "=", "Signed Sam")])
        self.assertEqual(len(contact), 1)
        self.assertFalse(contact.email)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Mallory")]))

    def test_replay_of_a_signed_call_uses_its_body_alone(self):
        rule = self._signed_rule()
        body = json.dumps({"name": "Replayed Rita"}).encode()
        self.assertWebhookOk(self._post(rule, body, params={"email": "evil@x.com"}))
        log = self._last_log(rule)
        self.env["res.partner"].search([("name", "=", "Replayed Rita")]).unlink()
        log.action_replay(bypass_idempotency=True)
        contact = self.env["res.partner"].search([("name", "=", "Replayed Rita")])
        self.assertEqual(len(contact), 1)
        self.assertFalse(contact.email)

    def test_get_is_refused_on_a_signed_webhook(self):
        rule = self._signed_rule(webhook_allow_get=True)
        response = self._call(rule, method="GET", params={"name": "From GET"})
        self.assertWebhookError(response, 405, "method_not_allowed")
        self.assertEqual(response.headers["Allow"], "POST")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "From GET")]))

    def test_unsigned_webhooks_keep_query_parameters(self):
        rule = self._create_webhook(
            record_getter=False, actions=[self._code_action(CREATE_CONTACT)]
        )
        response = self._call(
            rule, json={"name": "Query Quinn"}, params={"email": "q@example.com"}
        )
        self.assertWebhookOk(response)
        contact = self.env["res.partner"].search([("name", "=", "Query Quinn")])
        self.assertEqual(contact.email, "q@example.com")


class TestNoInternalDetails(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runner = new_test_user(
            cls.env,
            "wh_hostile_runner",
            groups="webhook_automation.group_webhook_runner",
            name="Runner Rupert",
        )

    def test_access_errors_are_answered_without_their_message(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_run_as_user_id=self.runner.id,
            log_webhook_calls=True,
            actions=[self._code_action(CREATE_CONTACT)],
        )
        with mute_logger("odoo.addons.base.models.ir_actions"):
            response = self._call(rule, json={"name": "Forbidden Fred"})
        body = self.assertWebhookError(response, 403, "access_denied")
        self.assertIn(body["request_id"], body["error"]["message"])
        message = body["error"]["message"].replace(body["request_id"], "")
        for detail in (
            "Runner Rupert",
            "wh_hostile_runner",
            str(self.runner.id),
            "res.partner",
            "Contact Creation",
        ):
            self.assertNotIn(detail, message)
        # the administrator finds the details in the log
        log = self._last_log(rule)
        self.assertEqual(log.error_type, "AccessError")
        self.assertIn("Contact Creation", log.error_message)

    def test_an_archived_run_as_user_is_not_named(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_run_as_user_id=self.runner.id,
            actions=[self._code_action(CREATE_CONTACT)],
        )
        self.runner.active = False
        response = self._call(rule, json={"name": "Nobody"})
        body = self.assertWebhookError(response, 403, "access_denied")
        self.assertNotIn("Runner Rupert", body["error"]["message"])

    def test_missing_records_are_answered_without_their_message(self):
        rule = self._create_webhook(
            record_getter=False,
            actions=[
                self._code_action(
                    "env['res.partner'].browse(int(payload['id'])).write({'ref': 'x'})"
                )
            ],
        )
        response = self._call(rule, json={"id": 10**8})
        body = self.assertWebhookError(response, 422, "target_not_found")
        self.assertNotIn(str(10**8), body["error"]["message"])

    def test_business_errors_keep_their_message(self):
        """The seed relies on it: its ValueError reaches the sender."""
        rule = self._create_webhook(
            record_getter=False,
            actions=[self._code_action("raise UserError('Order total is negative')")],
        )
        body = self.assertWebhookError(self._call(rule, json={}), 422, "action_failed")
        self.assertEqual(body["error"]["message"], "Order total is negative")


def test_requests_library_sees_the_json_contract_for_unknown_methods(server):
    """Odoo's own refusals of a webhook URL come in the JSON contract too."""
    response = requests.request(
        "PROPFIND", server.url("/web/hook/whatever"), timeout=30
    )
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["status"] == "error"
