# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook jobs whose server died go back to the queue, once, never too early.

queue_job 18.0.1.6.0 leaves a job "started" for ever when the server running
it dies. The worker of a webhook job holds the job's row while it runs
(``queue.job._webhook_hold_job_lock()``); the cron
``queue.job._webhook_requeue_dead_jobs()`` requeues the started webhook jobs
whose row nobody holds. The tests call it themselves, with no grace, instead
of waiting for the cron; a job left by a dead server is a committed row in
state started that no transaction holds.
"""

from datetime import timedelta

import pytest
import requests

from odoo import fields

from odoo.addons.queue_job.job import Job

from .server_harness import (
    CommittedData,
    ServerPool,
    in_process_job_runner_paused,
    wait_for,
)

# the job waits for the contact's row while the test holds it, then counts
LOCK_AND_INCREMENT = """\
env.cr.execute("SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [{id}])
partner = env['res.partner'].browse({id})
partner.write({{'color': partner.color + 1}})
"""
CREATE_PARTNER = "env['res.partner'].create({'name': payload['name']})"


@pytest.fixture(scope="module")
def servers():
    """The module's servers; meanwhile the test process runs no job runner."""
    with in_process_job_runner_paused(), ServerPool() as pool:
        yield pool


def _webhook(data, code, **values):
    """Create a logged async webhook on contacts running ``code``, without target."""
    return data.create_webhook(
        actions=[{"state": "code", "code": code}],
        record_getter=False,
        log_webhook_calls=True,
        webhook_mode="async",
        **values,
    )


def _job(env, rule_id):
    """Return the queue job of the only call of a webhook, as a dict, or None."""
    env.cr.execute(
        "SELECT job.id, job.uuid, job.state, job.retry, job.exc_message"
        " FROM webhook_call_log log JOIN queue_job job ON job.id = log.job_id"
        " WHERE log.automation_id = %s",
        [rule_id],
    )
    rows = env.cr.dictfetchall()
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def _call_log(env, rule_id):
    """Return the outcome of the only call log of a webhook."""
    env.cr.execute(
        "SELECT state, attempts, error_code, error_message FROM webhook_call_log"
        " WHERE automation_id = %s",
        [rule_id],
    )
    (row,) = env.cr.dictfetchall()
    return row


def _blocked_by(env, backend_pid):
    """Return the database backends waiting for a lock ``backend_pid`` holds."""
    env.cr.execute(
        "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
        [backend_pid],
    )
    return [row[0] for row in env.cr.fetchall()]


def _backend_exists(env, backend_pid):
    env.cr.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend_pid])
    return bool(env.cr.fetchone())


def _is_candidate(env, job_id):
    """Tell whether the cron, with no grace, would probe the job now."""
    jobs = env["queue.job"]
    domain = jobs._webhook_get_dead_job_domain(fields.Datetime.now())
    return job_id in jobs.search(domain).ids


def _requeue(data, grace=0):
    """Run the cron once, in its own transaction; return the ids of its jobs."""
    with data.env() as env:
        return env["queue.job"]._webhook_requeue_dead_jobs(grace=grace).ids


def _accept_one_call(servers, data, rule):
    """Post one call to a server without job runner; return its job's id."""
    server = servers.get(workers=0, job_runner=False)
    with servers.report_on_failure():
        response = requests.post(server.url(rule.path), json={}, timeout=30)
        assert response.status_code == 202, response.text
    with data.env() as env:
        job = _job(env, rule.id)
    assert job["state"] == "pending", job
    return job["id"]


def _leave_started(data, job_id):
    """Start the job as queue_job does, by a server that then died a while ago."""
    with data.env() as env:
        job_ = Job.load(env, env["queue.job"].browse(job_id).uuid)
        job_.set_started()
        job_.date_started = fields.Datetime.now() - timedelta(minutes=5)
        job_.store()


def test_job_of_a_killed_server_is_requeued_once_and_done(servers):
    data = CommittedData()
    try:
        partner_id = data.create_record("res.partner", {"name": data.tag, "color": 0})
        rule = _webhook(data, LOCK_AND_INCREMENT.format(id=partner_id))
        server = servers.get(workers=2, job_runner=True)
        with servers.report_on_failure(), data.env() as lock_env:
            # the test holds the contact: the job starts, then waits for it
            lock_env.cr.execute(
                "SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [partner_id]
            )
            lock_env.cr.execute("SELECT pg_backend_pid()")
            (lock_pid,) = lock_env.cr.fetchone()
            response = requests.post(server.url(rule.path), json={}, timeout=30)
            assert response.status_code == 202, response.text
            (job_pid,) = wait_for(
                lambda env: _blocked_by(env, lock_pid),
                timeout=60,
                what="the job waiting for the contact",
                servers=[server],
            )
            with data.env() as env:
                job = _job(env, rule.id)
            assert job["state"] == "started", job
            # old enough to be taken for dead, were its row free
            wait_for(
                lambda env: _is_candidate(env, job["id"]),
                timeout=10,
                what="the job started before the current second",
            )
            # its worker lives: the job is not requeued
            assert _requeue(data) == []
            server.kill()
            assert not server.alive
            lock_env.cr.rollback()  # frees the contact
        # the killed server's connection ends (the job's transaction with it)
        wait_for(
            lambda env: not _backend_exists(env, job_pid),
            timeout=30,
            what="the killed job's database connection closed",
        )
        with data.env() as env:
            assert _job(env, rule.id)["state"] == "started"  # left for ever
            assert env["res.partner"].browse(partner_id).color == 0
        server = servers.get(workers=2, job_runner=True)
        with servers.report_on_failure():
            assert _requeue(data) == [job["id"]]
            # not twice, whatever the runner does with it meanwhile (a grace
            # for a new start: its first statement comes a moment after it)
            assert _requeue(data, grace=30) == []
            job = wait_for(
                lambda env: _job(env, rule.id),
                until=lambda job: job["state"] in ("done", "failed"),
                timeout=60,
                what="the requeued job done",
                servers=[server],
            )
        assert (job["state"], job["retry"]) == ("done", 2), job
        with data.env() as env:
            assert env["res.partner"].browse(partner_id).color == 1
            log = _call_log(env, rule.id)
        assert (log["state"], log["attempts"]) == ("done", 2), log
    finally:
        data.cleanup()


def test_job_whose_server_dies_at_each_attempt_ends_failed(servers):
    data = CommittedData()
    try:
        rule = _webhook(data, CREATE_PARTNER, webhook_max_attempts=2)
        job_id = _accept_one_call(servers, data, rule)
        _leave_started(data, job_id)
        assert _requeue(data) == [job_id]
        with data.env() as env:
            job = _job(env, rule.id)
            log = _call_log(env, rule.id)
        assert (job["state"], job["retry"]) == ("pending", 1), job
        assert log["state"] == "accepted", log
        assert "server running attempt 1 died" in log["error_message"], log
        _leave_started(data, job_id)  # its server died again
        assert _requeue(data) == [job_id]
        assert _requeue(data) == []
        with data.env() as env:
            job = _job(env, rule.id)
            log = _call_log(env, rule.id)
        assert (job["state"], job["retry"]) == ("failed", 2), job
        message = (
            "The server running this job died during attempt 2 of 2: the job "
            "is not tried again."
        )
        assert job["exc_message"] == message
        assert log == {
            "state": "failed",
            "attempts": 2,
            "error_code": "retries_exhausted",
            "error_message": message,
        }
    finally:
        data.cleanup()


def test_concurrent_runs_requeue_a_dead_job_once(servers):
    data = CommittedData()
    try:
        rule = _webhook(data, CREATE_PARTNER)
        job_id = _accept_one_call(servers, data, rule)
        _leave_started(data, job_id)
        with data.env() as env_a, data.env() as env_b:
            env_b.cr.execute("SELECT 1")  # its snapshot: the job is started
            assert env_a["queue.job"]._webhook_requeue_dead_jobs(grace=0).ids == [
                job_id
            ]
            # the first run holds the row until it commits
            assert not env_b["queue.job"]._webhook_requeue_dead_jobs(grace=0)
            env_a.cr.commit()
            # committed, but still started in the second one's snapshot
            assert not env_b["queue.job"]._webhook_requeue_dead_jobs(grace=0)
        with data.env() as env:
            job = _job(env, rule.id)
        assert (job["state"], job["retry"]) == ("pending", 1), job
        assert _requeue(data) == []
    finally:
        data.cleanup()


def test_a_live_worker_holds_its_job_yet_lets_queue_job_store_it(servers):
    data = CommittedData()
    try:
        rule = _webhook(data, CREATE_PARTNER)
        job_id = _accept_one_call(servers, data, rule)
        _leave_started(data, job_id)  # five minutes ago
        stale_before = fields.Datetime.now() - timedelta(minutes=1)
        with data.env() as worker_env:
            job_uuid = worker_env["queue.job"].browse(job_id).uuid
            # the first statement of the job, in its worker's transaction
            jobs = worker_env["queue.job"].with_context(job_uuid=job_uuid)
            jobs._webhook_hold_job_lock()
            assert _requeue(data) == []
            with data.env() as env:
                # the outgoing safety net, too, sees that it runs
                job_sudo = env["queue.job"].browse(job_id)
                assert env["webhook.outgoing.message"]._job_will_run(
                    job_sudo, stale_before
                )
            with data.env() as env:
                # queue_job stores a retry or a failure from another cursor
                # while the worker still holds the row: not blocked
                env.cr.execute("SET LOCAL lock_timeout = '10s'")
                job_ = Job.load(env, job_uuid)
                job_.postpone(result="retry later", seconds=1)
                job_.set_pending(reset_retry=False)
                job_.store()
            worker_env.cr.rollback()
        with data.env() as env:
            assert _job(env, rule.id)["state"] == "pending"
        _leave_started(data, job_id)  # no worker holds it any more
        with data.env() as env:
            job_sudo = env["queue.job"].browse(job_id)
            assert not env["webhook.outgoing.message"]._job_will_run(
                job_sudo, stale_before
            )
        assert _requeue(data) == [job_id]
    finally:
        data.cleanup()
