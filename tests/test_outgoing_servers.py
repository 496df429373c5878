# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Outgoing webhooks with real commits, rollbacks and a crashed server.

The data is committed (``CommittedData``), the messages go to a real
receiver on 127.0.0.1; the crash test runs them with queue_job's runner of a
separate server (``server_harness.py``), killed with SIGKILL halfway.
"""

import time
from datetime import timedelta

import pytest

import odoo
from odoo import fields
from odoo.modules.registry import Registry
from odoo.service.model import retrying

from odoo.addons.queue_job.job import Job

from ..models.webhook_outgoing_message import RECOVERY_MARGIN_PARAM
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
        # an attempt late by 3 s whose job will not run is given a new job
        data.set_param(RECOVERY_MARGIN_PARAM, "3")
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
            time.sleep(1)  # PostgreSQL drops the dead server's sessions
            with data.env() as env:
                stuck = env["queue.job"].search(
                    JOB_DOMAIN + [("state", "in", ("started", "enqueued"))]
                )
                # left started or enqueued by the dead server, they would fill
                # the channel's capacity forever: nobody requeues them by hand
                assert stuck
                stuck_ids = stuck.ids
                # and some jobs are lost altogether
                lost = env["queue.job"].search(
                    JOB_DOMAIN + [("state", "=", "pending")], limit=5
                )
                assert len(lost) == 5
                lost.unlink()
            server = servers.start(workers=0, job_runner=True)

            def recover_then_count(env):
                # the cron's method, as the cron runs it (every minute)
                env["webhook.outgoing.message"]._cron_recover_stuck()
                return _states(env, endpoint_id)

            wait_for(
                recover_then_count,
                until=lambda states: states["messages"] == {"delivered": total},
                timeout=180,
                interval=1,
                what=f"the {total} messages delivered",
                servers=[server],
            )
            with data.env() as env:
                # the dead server's jobs were cancelled, not run again
                states = set(env["queue.job"].browse(stuck_ids).mapped("state"))
                assert states == {"cancelled"}, states
        ids = receiver.webhook_ids()
        assert set(ids) == expected
        # at least once: a message in flight at the crash may come twice,
        # with the same webhook-id
        assert len(ids) >= total
    finally:
        data.cleanup()


def test_serialization_failure_replay_sends_one_message(servers, receiver):
    """Odoo replays a transaction after a serialization failure: one message.

    The first try writes partner B, flushes a savepoint (the precommit hook
    stores B's message and job), then writes A, which a concurrent committed
    transaction changed meanwhile: PostgreSQL refuses it and Odoo's
    ``retrying`` (what serves every request) rolls back and tries again; the
    second try writes A only. The receiver gets one message per committed
    change: the concurrent one and the second try; none for B.
    """
    servers.stop_current()  # no job runner: the test runs the jobs
    data = CommittedData()
    try:
        endpoint_id, _secret, (a_id, b_id) = _outgoing_setup(data, receiver, 2)
        tries = []
        with Registry(database_under_test()).cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})

            def change():
                tries.append(len(tries) + 1)
                partners = env["res.partner"]
                partner_a = partners.browse(a_id)
                if len(tries) == 1:
                    partner_a.read(["name"])  # the transaction's snapshot
                    with data.env() as other:  # a concurrent change, committed
                        other["res.partner"].browse(a_id).write({"name": "concurrent"})
                    partners.browse(b_id).write({"name": "phantom"})
                    with env.cr.savepoint():  # flushes: B's message is stored
                        pass
                    assert _messages(env, endpoint_id).filtered(
                        lambda m: m.res_id == b_id
                    )
                    partner_a.write({"name": "first try"})
                    env.flush_all()  # refused: A changed since the snapshot
                    raise AssertionError("no serialization failure")
                partner_a.write({"name": "second try"})

            retrying(change, env)
        assert tries == [1, 2]
        with data.env() as env:
            messages = _messages(env, endpoint_id)
            assert messages.mapped("res_id") == [a_id, a_id]
            assert env["res.partner"].browse(b_id).name != "phantom"
        _run_jobs_committed(data)
        bodies = sorted(request.body.decode() for request in receiver.requests)
        assert len(bodies) == 2, bodies
        assert '"concurrent"' in bodies[0] and '"second try"' in bodies[1], bodies
        assert not any("phantom" in body or "first try" in body for body in bodies)
        assert len(set(receiver.webhook_ids())) == 2
        with data.env() as env:
            assert set(_messages(env, endpoint_id).mapped("state")) == {"delivered"}
    finally:
        data.cleanup()


def test_recovery_skips_a_message_being_sent(servers, receiver):
    """A message whose row a job holds (it is sending it) keeps its job."""
    servers.stop_current()  # no job runner: the test runs the jobs
    data = CommittedData()
    try:
        endpoint_id, _secret, (partner_id,) = _outgoing_setup(data, receiver)
        with data.env() as env:
            env["res.partner"].browse(partner_id).write({"name": "late"})
        with data.env() as env:
            message = _messages(env, endpoint_id)
            message.write(
                {"next_attempt_date": fields.Datetime.now() - timedelta(hours=1)}
            )
            env["queue.job"].search(JOB_DOMAIN).unlink()  # lost, or so it seems
            message_id, token = message.id, message.job_token
        with Registry(database_under_test()).cursor() as sending_cr:
            sending_cr.execute(
                "SELECT id FROM webhook_outgoing_message WHERE id = %s"
                " FOR NO KEY UPDATE",
                [message_id],
            )
            with data.env() as env:
                recovered = env["webhook.outgoing.message"]._cron_recover_stuck()
                assert recovered == 0
                assert env["webhook.outgoing.message"].browse(message_id).job_token == (
                    token
                )
            sending_cr.rollback()
        with data.env() as env:
            assert env["webhook.outgoing.message"]._cron_recover_stuck() == 1
        _run_jobs_committed(data)
        assert len(receiver.requests) == 1
    finally:
        data.cleanup()
