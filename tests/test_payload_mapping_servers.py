# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Create/Update from Payload under concurrency, on two real Odoo servers.

Create or Update must never create two records of one key, even when the
calls carrying it run at the same moment in separate processes: the creator
claims the key under a unique index (``webhook.upsert.claim``), a concurrent
claim of the same key fails with a serialization error, and Odoo replays
that request in a fresh transaction, which finds the new record and updates
it. Here the calls really run in parallel: they are sent together, spread
over a threaded server (each call in a thread of its own) and a
multi-process one (``workers=2``), both on the test database. The data is
committed, hence deleted at the end of each test.
"""

import re
from contextlib import ExitStack

import pytest
import requests

from .common import upsert_action_values
from .server_harness import (
    CommittedData,
    OdooServer,
    in_process_job_runner_paused,
    run_concurrently,
)

CALLS = 16
# the documentation's "create a contact", without code: Create or Update by
# email (see test_payload_mapping.py)
CONTACT_MAPPINGS = [
    {"field": "name", "path": "name", "required": True},
    {"field": "email", "path": "email", "required": True},
    {"field": "phone", "path": "phone"},
]
# what Odoo logs when it replays a request after a serialization failure
REPLAY_LINE = re.compile(r"SERIALIZATION_FAILURE, \d+ tries left")


@pytest.fixture(scope="module")
def servers():
    """A threaded server and a multi-process one, on the test database."""
    with in_process_job_runner_paused(), ExitStack() as stack:
        yield [
            stack.enter_context(OdooServer(workers=workers, name=f"upsert-{name}"))
            for workers, name in ((0, "threaded"), (2, "workers"))
        ]


def _contact_webhook(servers, data):
    """Commit a webhook creating or updating contacts by email; warm the servers."""
    with data.env() as env:
        action = upsert_action_values(
            env,
            "res.partner",
            CONTACT_MAPPINGS,
            match=("email", "email"),
            webhook_upsert_mode="create_or_update",
        )
    rule = data.create_webhook(actions=[action], record_getter=False)
    # the contacts and the claims of their keys: every key holds the tag
    data.delete_matching_later("res.partner", [("email", "=like", f"{data.tag}%")])
    data.delete_matching_later(
        "webhook.upsert.claim", [("key", "=like", f"{data.tag}%")]
    )
    # creating a rule makes each server reload its registry on its next
    # request: done now, so that the calls below start together
    for server in servers:
        requests.post(server.url("/web/hook/warm-up"), json={}, timeout=60)
    return rule


def _post_together(servers, rule, payloads):
    """POST the payloads all at once, one server after the other; the answers."""

    def post(item):
        index, payload = item
        url = servers[index % len(servers)].url(rule.path)
        return requests.post(url, json=payload, timeout=120)

    marks = [server.log_size() for server in servers]
    try:
        responses = run_concurrently(
            post,
            list(enumerate(payloads)),
            concurrency=len(payloads),
            start_together=True,
        )
    except Exception:
        _report(servers, marks)
        raise
    return responses, marks


def _replays(servers, marks):
    """Return how many requests the servers replayed since ``marks``."""
    return sum(
        len(REPLAY_LINE.findall(server.log_tail(lines=100_000, offset=mark)))
        for server, mark in zip(servers, marks, strict=True)
    )


def _report(servers, marks):
    """Print what the servers logged since ``marks`` (pytest shows it on failure)."""
    for server, mark in zip(servers, marks, strict=True):
        server.print_log(mark, header=f"{server!r} during the test")


def _bodies(responses):
    """Return the JSON answers, after checking that every call answered 200 ok."""
    texts = [f"{r.status_code} {r.text[:300]}" for r in responses]
    assert [r.status_code for r in responses] == [200] * len(responses), texts
    bodies = [response.json() for response in responses]
    assert {body["status"] for body in bodies} == {"ok"}, bodies
    assert {body["data"]["model"] for body in bodies} == {"res.partner"}, bodies
    return bodies


def _contacts(data):
    """Return {email: [partner ids]} of the test's contacts, archived included."""
    with data.env() as env:
        env.cr.execute(
            "SELECT email, array_agg(id ORDER BY id) FROM res_partner"
            " WHERE email LIKE %s GROUP BY email",
            [data.tag + "%"],
        )
        return dict(env.cr.fetchall())


def test_same_email_at_once_gives_one_contact(servers):
    data = CommittedData()
    try:
        rule = _contact_webhook(servers, data)
        email = f"{data.tag}@example.com"
        payloads = [
            {"name": f"Racer {n}", "email": email, "phone": f"+1 555 01{n:02d}"}
            for n in range(CALLS)
        ]
        responses, marks = _post_together(servers, rule, payloads)
        try:
            bodies = _bodies(responses)
            contacts = _contacts(data)
            assert list(contacts) == [email], contacts
            assert len(contacts[email]) == 1, contacts
            (partner_id,) = contacts[email]
            created = [i for body in bodies for i in body["data"]["created"]]
            assert created == [partner_id], bodies
            # every other call found that contact and updated it
            for body in bodies:
                data_ = body["data"]
                assert data_["created"] + data_["updated"] == [partner_id], body
            with data.env() as env:
                partner = env["res.partner"].browse(partner_id)
                # the last writer's values, whichever call it was
                assert (partner.name, partner.phone) in {
                    (payload["name"], payload["phone"]) for payload in payloads
                }
            # the calls did run at the same time: the losers of the claim (and
            # of the concurrent updates) were replayed (11 to 13 of 16 here)
            replays = _replays(servers, marks)
            assert replays >= 1, "the calls did not overlap: nothing was tested"
        except AssertionError:
            _report(servers, marks)
            raise
    finally:
        data.cleanup()


def test_distinct_emails_sent_twice_at_once_give_one_contact_each(servers):
    data = CommittedData()
    try:
        rule = _contact_webhook(servers, data)
        emails = [f"{data.tag}-{n:02d}@example.com" for n in range(CALLS)]
        # each email twice in a row: the two calls go to different servers
        payloads = [
            {"name": f"Twin {n} {copy}", "email": email, "phone": f"+1 555 02{n:02d}"}
            for n, email in enumerate(emails)
            for copy in range(2)
        ]
        responses, marks = _post_together(servers, rule, payloads)
        try:
            bodies = _bodies(responses)
            contacts = _contacts(data)
            assert sorted(contacts) == emails, contacts
            assert all(len(ids) == 1 for ids in contacts.values()), contacts
            created = sorted(i for body in bodies for i in body["data"]["created"])
            assert created == sorted(ids[0] for ids in contacts.values()), bodies
            # each call answers the contact of its own email, created or updated
            for payload, body in zip(payloads, bodies, strict=True):
                data_ = body["data"]
                assert (
                    data_["created"] + data_["updated"] == contacts[payload["email"]]
                ), (payload, body)
        except AssertionError:
            _report(servers, marks)
            raise
    finally:
        data.cleanup()
