# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Outgoing webhooks with real commits, rollbacks and a crashed server.

The data is committed (``CommittedData``), the messages go to a real
receiver on 127.0.0.1; the crash test runs them with queue_job's runner of a
separate server (``server_harness.py``), killed with SIGKILL halfway.
"""

import time

import pytest

import odoo
from odoo.modules.registry import Registry

from odoo.addons.queue_job.job import Job

from ..receiver.signatures import get_scheme
from .outgoing_receiver import Receiver
from .server_harness import (
    CommittedData,
    ServerPool,
    database_under_test,
    in_process_job_runner_paused,
    wait_for,
)

JOB_DOMAIN = [
    ("model_name", "=", "webhook.outgoing.message"),
    ("method_name", "=", "_webhook_deliver"),
]


@pytest.fixture(scope="module")
def servers():
    """The module's servers; meanwhile the test process runs no job runner."""
    with in_process_job_runner_paused(), ServerPool() as pool:
        yield pool


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _outgoing_setup(data, receiver, partners=1):
    """Commit an endpoint, a rule sending partners' updates to it, and partners."""
    # the partners first: core's create() writes, which the rule would send
    with data.env() as env:
        partner_ids = (
            env["res.partner"]
            .create([{"name": f"{data.tag} {n:03d}"} for n in range(partners)])
            .ids
        )
    with data.env() as env:
        endpoint = env["webhook.endpoint"].create(
            {
                "name": data.tag,
                "url": receiver.url(),
                "allowed_private_networks": "127.0.0.0/8",
            }
        )
        model = env["ir.model"]._get("res.partner")
        rule = env["base.automation"].create(
            {"name": data.tag, "model_id": model.id, "trigger": "on_write"}
        )
        env["ir.actions.server"].create(
            {
                "name": data.tag,
                "model_id": model.id,
                "usage": "base_automation",
                "base_automation_id": rule.id,
                "state": "webhook",
                "webhook_endpoint_id": endpoint.id,
                "webhook_field_ids": [
                    (6, 0, [env["ir.model.fields"]._get("res.partner", "name").id])
                ],
            }
        )
        ids = endpoint.id, rule.id, endpoint.signing_secret
    # deleted newest first: jobs, partners, the rule (and its action), the endpoint
    data.delete_later("webhook.endpoint", [ids[0]])
    data.delete_later("base.automation", [ids[1]])
    data.delete_later("res.partner", partner_ids)
    data.delete_matching_later("queue.job", JOB_DOMAIN)
    return ids[0], ids[2], partner_ids


def _messages(env, endpoint_id):
    return env["webhook.outgoing.message"].search(
        [("endpoint_id", "=", endpoint_id)], order="id"
    )


def _states(env, endpoint_id):
    """Return the numbers of messages and of their jobs by state."""
    messages = _messages(env, endpoint_id)
    jobs = env["queue.job"].search(JOB_DOMAIN)
    return {
        "messages": {
            state: len(messages.filtered(lambda m, s=state: m.state == s))
            for state in set(messages.mapped("state"))
        },
        "jobs": {
            state: len(jobs.filtered(lambda j, s=state: j.state == s))
            for state in set(jobs.mapped("state"))
        },
    }


def _run_jobs_committed(data):
    """Run the pending outgoing jobs, each in its own committed transaction."""
    with data.env() as env:
        uuids = (
            env["queue.job"]
            .search(JOB_DOMAIN + [("state", "=", "pending")])
            .mapped("uuid")
        )
    for uuid in uuids:
        with data.env() as env:
            job = Job.load(env, uuid)
            job.perform()
            job.set_done()
            job.store()


def test_committed_write_sends_once_rolled_back_sends_none(servers, receiver):
    data = CommittedData()
    try:
        endpoint_id, secret, (partner_id,) = _outgoing_setup(data, receiver)
        # a rolled-back write: no message, no job, nothing sent
        with Registry(database_under_test()).cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["res.partner"].browse(partner_id).write({"name": "rolled back"})
            env.flush_all()
            cr.rollback()
        with data.env() as env:
            assert not _messages(env, endpoint_id)
            assert not env["queue.job"].search(JOB_DOMAIN)
        # a committed write, twice in its transaction: one message, one job
        with data.env() as env:
            partner = env["res.partner"].browse(partner_id)
            partner.write({"name": "committed"})
            partner.write({"name": "committed, twice"})
            assert not _messages(env, endpoint_id)  # stored just before commit
        with data.env() as env:
            message = _messages(env, endpoint_id)
            assert len(message) == 1
            assert message.state == "pending"
            assert len(env["queue.job"].search(JOB_DOMAIN)) == 1
            message_id, body = message.message_id, message.body
        assert receiver.requests == []  # nothing sent by the write itself
        _run_jobs_committed(data)
        assert len(receiver.requests) == 1
        request = receiver.requests[0]
        assert request.body == body.encode()
        assert '"committed, twice"' in body
        headers = {name.lower(): value for name, value in request.headers.items()}
        assert headers["webhook-id"] == message_id
        get_scheme("standard").verify(headers, request.body, [secret])
        with data.env() as env:
            assert _messages(env, endpoint_id).state == "delivered"
    finally:
        data.cleanup()


def test_crash_with_100_pending_messages_loses_none(servers, receiver):
    data = CommittedData()
    total = 100
    receiver.delay = 0.05
    try:
        endpoint_id, _secret, partner_ids = _outgoing_setup(data, receiver, total)
        with data.env() as env:
            for partner in env["res.partner"].browse(partner_ids):
                partner.write({"name": partner.name + " changed"})
        with data.env() as env:
            messages = _messages(env, endpoint_id)
            assert len(messages) == total
            expected = set(messages.mapped("message_id"))
        with servers.report_on_failure():
            server = servers.start(workers=0, job_runner=True)
            wait_for(
                lambda env: len(receiver.requests),
                until=lambda count: count >= 10,
                timeout=90,
                what="the first messages received",
                servers=[server],
            )
            server.kill()
            assert not server.alive
            received_before = len(receiver.requests)
            assert received_before < total
            # queue_job's documented recovery after a crash: jobs left started
            # or enqueued by the dead server are set pending again (they would
            # fill the channel's capacity forever)
            time.sleep(1)  # PostgreSQL drops the dead server's sessions
            with data.env() as env:
                env["queue.job"].search(
                    JOB_DOMAIN + [("state", "in", ("started", "enqueued"))]
                ).requeue()
            server = servers.start(workers=0, job_runner=True)
            wait_for(
                lambda env: _states(env, endpoint_id),
                until=lambda states: states["messages"] == {"delivered": total},
                timeout=180,
                what=f"the {total} messages delivered",
                servers=[server],
            )
        ids = receiver.webhook_ids()
        assert set(ids) == expected
        # at least once: a message in flight at the crash may come twice,
        # with the same webhook-id
        assert len(ids) >= total
    finally:
        data.cleanup()
