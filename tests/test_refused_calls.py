# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Refused calls cannot grow the database (issue 15, finding 4).

Anyone holding a webhook's URL but not its secret can send calls that are
refused (401, 403...). They are logged without their body, and the refusals
of a webhook with the same error code share one log row per 10-second window,
whose ``refused_count`` says how many calls it stands for.

The in-process server's tests freeze the window (``_frozen_window``), so that
no assertion depends on the clock; the concurrent calls to a real server do
not, and count the rows of the windows they touched.
"""

import json
from contextlib import contextmanager
from unittest.mock import patch

import pytest

from odoo.exceptions import UserError

from .common import WebhookCase
from .server_harness import (
    CommittedData,
    ServerPool,
    in_process_job_runner_paused,
    post_concurrently,
)
from .test_signatures import github_headers

SECRET = "refusal-secret"
CREATE_CONTACT = """\
if not payload.get('name'):
    raise ValueError('a name is required')
env['res.partner'].create({'name': payload['name']})
"""
PADDING = "refused-padding-"
# a 60 KiB body: what a flood of bad signatures used to store, call after call
BIG_BODY = json.dumps({"name": "Flood", "pad": (PADDING * 4000)[: 60 * 1024]}).encode()
WINDOW = 177_000_000  # a window of 2026: floor(epoch / 10)


class TestRefusedCalls(WebhookCase):
    def _signed_rule(self, **values):
        values.setdefault("log_webhook_calls", True)
        rule = self._create_webhook(
            record_getter=False,
            webhook_signature_scheme="github",
            actions=[self._code_action(CREATE_CONTACT)],
            **values,
        )
        rule.webhook_signing_secret = SECRET
        return rule

    def _post(self, rule, body, secret=SECRET):
        return self._call(
            rule,
            data=body,
            headers={
                "Content-Type": "application/json",
                **github_headers(body, secret),
            },
        )

    def _logs(self, rule, code=None):
        domain = [("automation_id", "=", rule.id)]
        if code is not None:
            domain.append(("error_code", "=", code))
        return self.env["webhook.call.log"].search(domain, order="id")

    def _stored_text(self, logs):
        """Return every column of ``logs`` as one text, as the database holds it."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT row_to_json(log)::text FROM webhook_call_log log"
            " WHERE id = ANY(%s)",
            [logs.ids],
        )
        return " ".join(row[0] for row in self.env.cr.fetchall())

    @contextmanager
    def _frozen_window(self, window=WINDOW):
        """Log the refusals of the block in the 10-second window ``window``."""
        log_class = type(self.env["webhook.call.log"])
        with patch.object(log_class, "_get_refusal_window", return_value=window):
            yield

    def test_a_flood_of_bad_signatures_is_one_row_without_body(self):
        rule = self._signed_rule()
        with self._frozen_window():
            responses = [
                self._post(rule, BIG_BODY, "not-the-secret") for _ in range(30)
            ]
        for response in responses:
            self.assertWebhookError(response, 401, "signature_invalid")
        logs = self._logs(rule)
        self.assertEqual(len(logs), 1)
        self.assertEqual(
            (logs.error_code, logs.status_code, logs.state, logs.refused_count),
            ("signature_invalid", 401, "failed", 30),
        )
        self.assertFalse(logs.request_body)
        self.assertFalse(logs.query_string)
        self.assertFalse(logs.response_body)
        self.assertEqual(logs.body_size, len(BIG_BODY))
        self.assertEqual(logs.method, "POST")
        self.assertEqual(logs.remote_addr, "127.0.0.1")
        self.assertTrue(logs.error_message)
        # the row shows the latest refusal: its request id finds it
        self.assertEqual(logs.request_id, responses[-1].json()["request_id"])
        self.assertNotIn(PADDING, self._stored_text(logs))
        # the masked headers say who called, never the signature
        headers = json.loads(logs.request_headers)
        self.assertEqual(headers["X-Hub-Signature-256"], "***")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Flood")]))

    def test_each_error_code_has_its_own_row(self):
        rule = self._signed_rule()
        with self._frozen_window():
            for _index in range(3):
                self.assertWebhookError(
                    self._post(rule, BIG_BODY, "wrong"), 401, "signature_invalid"
                )
            self.assertWebhookError(
                self._call(rule, json={"name": "Unsigned"}), 401, "signature_missing"
            )
            rule.webhook_allowed_ips = "10.0.0.0/8"
            for _index in range(2):
                self.assertWebhookError(
                    self._post(rule, BIG_BODY), 403, "ip_not_allowed"
                )
        counts = {log.error_code: log.refused_count for log in self._logs(rule)}
        self.assertEqual(
            counts,
            {"signature_invalid": 3, "signature_missing": 1, "ip_not_allowed": 2},
        )

    def test_a_new_window_starts_a_new_row(self):
        rule = self._signed_rule()
        for window in (WINDOW, WINDOW, WINDOW + 1):
            with self._frozen_window(window):
                self.assertWebhookError(
                    self._post(rule, BIG_BODY, "wrong"), 401, "signature_invalid"
                )
        logs = self._logs(rule, "signature_invalid")
        self.assertEqual(logs.mapped("refused_count"), [2, 1])
        self.assertEqual(logs.mapped("refusal_window"), [WINDOW, WINDOW + 1])

    def test_refusals_are_counted_without_log_calls(self):
        rule = self._signed_rule(log_webhook_calls=False)
        with self._frozen_window():
            for _index in range(5):
                self.assertWebhookError(
                    self._post(rule, BIG_BODY, "wrong"), 401, "signature_invalid"
                )
        logs = self._logs(rule)
        self.assertEqual(len(logs), 1)
        self.assertEqual(logs.refused_count, 5)
        self.assertFalse(logs.request_headers or logs.request_body)
        self.assertNotIn(PADDING, self._stored_text(logs))

    def test_served_calls_are_still_logged_with_their_body(self):
        rule = self._signed_rule()
        with self._frozen_window():
            self.assertWebhookError(
                self._post(rule, BIG_BODY, "wrong"), 401, "signature_invalid"
            )
            self.assertWebhookOk(self._post(rule, BIG_BODY))
            self.assertWebhookOk(self._post(rule, BIG_BODY))
        served = self._logs(rule).filtered(lambda log: log.status_code == 200)
        self.assertEqual(len(served), 2)
        for log in served:
            self.assertEqual(json.loads(log.request_body), json.loads(BIG_BODY))
            self.assertEqual(log.refused_count, 0)
            self.assertFalse(log.refusal_window)
        self.assertEqual(
            self.env["res.partner"].search_count([("name", "=", "Flood")]), 2
        )

    def test_execution_failures_are_logged_one_by_one(self):
        """A 422 comes from a sender holding the secret: logged as ever."""
        rule = self._signed_rule()
        body = json.dumps({"no_name": True}).encode()
        with self._frozen_window():
            for _index in range(2):
                self.assertWebhookError(self._post(rule, body), 422, "action_failed")
        logs = self._logs(rule)
        self.assertEqual(len(logs), 2)
        for log in logs:
            self.assertEqual(json.loads(log.request_body), {"no_name": True})
            self.assertEqual(log.refused_count, 0)
            self.assertTrue(log.error_traceback)

    def test_refused_calls_cannot_be_replayed(self):
        rule = self._signed_rule()
        self.assertWebhookError(
            self._post(rule, BIG_BODY, "wrong"), 401, "signature_invalid"
        )
        with self.assertRaisesRegex(UserError, "refused before it ran"):
            self._logs(rule).action_replay()


# ----------------------------------------------------------------------
# Concurrent refusals on a real server
# ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def servers():
    """The module's servers; meanwhile the test process runs no job runner."""
    with in_process_job_runner_paused(), ServerPool() as pool:
        yield pool


@pytest.mark.parametrize("workers", [0, 2], ids=["threaded", "workers=2"])
def test_concurrent_refusals_share_the_row_of_their_window(servers, workers):
    calls = 20
    data = CommittedData()
    try:
        rule = data.create_webhook(
            actions=[{"state": "code", "code": CREATE_CONTACT}],
            record_getter=False,
            log_webhook_calls=True,
            webhook_signature_scheme="github",
            webhook_signing_secret=SECRET,
        )
        server = servers.get(workers=workers)
        with servers.report_on_failure():
            responses = post_concurrently(
                server.url(rule.path),
                [{"name": data.tag, "pad": PADDING * 100}] * calls,
                concurrency=calls,
                headers=github_headers(b"another body", "not-the-secret"),
                start_together=True,
            )
            statuses = [response.status_code for response in responses]
            assert statuses == [401] * calls, [r.text for r in responses]
            assert {r.json()["error"]["code"] for r in responses} == {
                "signature_invalid"
            }
            with data.env() as env:
                env.cr.execute(
                    "SELECT refusal_window, refused_count, request_body"
                    "  FROM webhook_call_log"
                    " WHERE automation_id = %s AND error_code = 'signature_invalid'"
                    " ORDER BY refusal_window",
                    [rule.id],
                )
                rows = env.cr.fetchall()
        windows = [row[0] for row in rows]
        # one row per 10-second window the calls touched (two if they crossed
        # the boundary of a window), which counts every refusal of its window
        assert 1 <= len(rows) <= 2, rows
        assert len(set(windows)) == len(rows), rows
        assert windows[-1] - windows[0] <= 1, rows
        assert sum(row[1] for row in rows) == calls, rows
        assert not any(row[2] for row in rows), rows
    finally:
        data.cleanup()
