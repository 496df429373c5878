# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reliable delivery on real, separate Odoo servers (``server_harness.py``).

Each call runs in the server's own transaction, as in production: concurrent
calls really conflict, the threaded server and the multi-process one
(``workers=2``) are both exercised, queue_job's job runner calls the server
back to run the async calls, and a server can crash. The data is committed,
hence deleted at the end of each test.

The servers of a kind are reused from test to test (see ``ServerPool``):
creating or deleting a rule makes them reload their registry once, which is
cheaper than starting new ones.
"""

import pytest
import requests

from odoo.modules.registry import Registry

from .server_harness import (
    CommittedData,
    ServerPool,
    database_under_test,
    in_process_job_runner_paused,
    log_states,
    partner_names,
    post_concurrently,
    wait_for,
)

# the threaded server and the multi-process one, each started once per module
SERVER_MODES = pytest.mark.parametrize(
    "workers", [0, 2], ids=["threaded", "workers=2"], scope="module"
)
CREATE_PARTNER = "env['res.partner'].create({'name': payload['name']})"
INCREMENT_COLOR = "record.write({'color': record.color + 1})"
# the job of an async call takes its row lock without waiting: while a test
# holds the lock, the attempt fails with LockNotAvailable (transient)
LOCK_AND_WRITE = """\
env.cr.execute("SELECT id FROM res_partner WHERE id = %s FOR UPDATE NOWAIT", [{id}])
partner = env['res.partner'].browse({id})
partner.write({{'color': partner.color + 1}})
"""
# creates a partner, then refuses the call: the creation must be rolled back
REFUSE = """\
env['res.partner'].create({{'name': {name!r}}})
raise UserError('refused')
"""


@pytest.fixture(scope="module")
def servers():
    """The module's servers; meanwhile the test process runs no job runner."""
    with in_process_job_runner_paused(), ServerPool() as pool:
        yield pool


def _code(code):
    return {"state": "code", "code": code}


def _webhook(data, code, **values):
    """Create a logged webhook on partners running ``code``, without target."""
    return data.create_webhook(
        actions=[_code(code)],
        record_getter=values.pop("record_getter", False),
        log_webhook_calls=True,
        **values,
    )


def _job_states(env, rule_id):
    """Return {state: number of queue jobs} of the calls of a webhook."""
    env.cr.execute(
        "SELECT job.state, count(*) FROM webhook_call_log log"
        " JOIN queue_job job ON job.id = log.job_id"
        " WHERE log.automation_id = %s GROUP BY job.state",
        [rule_id],
    )
    return dict(env.cr.fetchall())


def _texts(responses):
    return [f"{response.status_code} {response.text}" for response in responses]


def _assert_accepted(responses):
    assert [r.status_code for r in responses] == [202] * len(responses), _texts(
        responses
    )
    bodies = [response.json() for response in responses]
    assert {body["status"] for body in bodies} == {"accepted"}
    assert len({body["request_id"] for body in bodies}) == len(bodies)


def _finished(states, total):
    """Tell whether ``total`` calls are all done, or one of them failed."""
    return states.get("done", 0) == total or bool(states.get("failed"))


def _assert_all_run_once(server, data, rule, names, timeout):
    """Wait for the calls creating contacts ``names``; each must be done, once."""
    states = wait_for(
        lambda env: log_states(env, rule.id),
        until=lambda states: _finished(states, len(names)),
        timeout=timeout,
        what=f"the {len(names)} accepted calls done",
        servers=[server],
    )
    assert states == {"done": len(names)}
    with data.env() as env:
        assert partner_names(env, data.tag) == dict.fromkeys(names, 1)


# first of its mode: the server with the runner it ends with serves the next
# tests, instead of being stopped for the server without runner it starts with
@SERVER_MODES
def test_accepted_calls_survive_a_crash(servers, workers):
    calls = 30
    data = CommittedData()
    try:
        rule = _webhook(data, CREATE_PARTNER, webhook_mode="async")
        data.delete_matching_later("res.partner", [("name", "=like", f"{data.tag}%")])
        names = [f"{data.tag} {index:02d}" for index in range(calls)]
        with servers.report_on_failure():
            # no job runner anywhere: the calls are accepted and wait
            server = servers.start(workers=workers, job_runner=False)
            responses = post_concurrently(
                server.url(rule.path), [{"name": name} for name in names]
            )
            _assert_accepted(responses)
            with data.env() as env:
                assert log_states(env, rule.id) == {"accepted": calls}
            server.kill()
            assert not server.alive
            with data.env() as env:
                assert log_states(env, rule.id) == {"accepted": calls}
                assert _job_states(env, rule.id) == {"pending": calls}
                assert partner_names(env, data.tag) == {}
            # a new server, with the runner, runs what the crashed one accepted
            server = servers.get(workers=workers, job_runner=True)
            _assert_all_run_once(server, data, rule, names, timeout=60)
    finally:
        data.cleanup()


@SERVER_MODES
def test_concurrent_repeats_of_a_delivery_run_once(servers, workers):
    data = CommittedData()
    try:
        rule = _webhook(
            data,
            CREATE_PARTNER,
            webhook_mode="sync",
            webhook_delivery_id_source="header",
            webhook_delivery_id_key="X-Delivery-Id",
        )
        data.delete_matching_later("res.partner", [("name", "=like", f"{data.tag}%")])
        server = servers.get(workers=workers, job_runner=True)
        with servers.report_on_failure():
            responses = post_concurrently(
                server.url(rule.path),
                [{"name": f"{data.tag} once"}] * 20,
                concurrency=20,
                headers={"X-Delivery-Id": data.tag},
                start_together=True,
            )
            # the waiting calls see the first one's outcome: no conflict error
            assert [r.status_code for r in responses] == [200] * 20, _texts(responses)
            bodies = [response.json() for response in responses]
            first = [body for body in bodies if not body.get("duplicate")]
            repeats = [body for body in bodies if body.get("duplicate") is True]
            assert len(first) == 1 and len(repeats) == 19, bodies
            assert {body["original_request_id"] for body in repeats} == {
                first[0]["request_id"]
            }
            assert len({body["request_id"] for body in bodies}) == 20
            with data.env() as env:
                assert partner_names(env, data.tag) == {f"{data.tag} once": 1}
                assert log_states(env, rule.id) == {"done": 1, "duplicate": 19}
    finally:
        data.cleanup()


@SERVER_MODES
def test_concurrent_updates_of_a_record_are_all_applied(servers, workers):
    data = CommittedData()
    try:
        partner_id = data.create_record("res.partner", {"name": data.tag, "color": 0})
        rule = _webhook(
            data, INCREMENT_COLOR, record_getter=f"model.browse({partner_id})"
        )
        server = servers.get(workers=workers, job_runner=True)
        with servers.report_on_failure():
            responses = post_concurrently(
                server.url(rule.path),
                [{"call": index} for index in range(8)],
                concurrency=8,
                start_together=True,
            )
            assert [r.status_code for r in responses] == [200] * 8, _texts(responses)
            with data.env() as env:
                # Odoo replayed the conflicting transactions: no update lost
                assert env["res.partner"].browse(partner_id).color == 8
                assert log_states(env, rule.id) == {"done": 8}
    finally:
        data.cleanup()


@SERVER_MODES
def test_async_calls_are_all_run_once_by_the_job_runner(servers, workers):
    calls = 200
    data = CommittedData()
    try:
        rule = _webhook(data, CREATE_PARTNER, webhook_mode="async")
        data.delete_matching_later("res.partner", [("name", "=like", f"{data.tag}%")])
        names = [f"{data.tag} {index:03d}" for index in range(calls)]
        server = servers.get(workers=workers, job_runner=True)
        with servers.report_on_failure():
            responses = post_concurrently(
                server.url(rule.path), [{"name": name} for name in names]
            )
            _assert_accepted(responses)
            _assert_all_run_once(server, data, rule, names, timeout=120)
    finally:
        data.cleanup()


def _call_log(env, rule_id):
    """Return the outcome of the only call log of a webhook, or None."""
    env.cr.execute(
        "SELECT state, attempts, status_code, error_code FROM webhook_call_log"
        " WHERE automation_id = %s",
        [rule_id],
    )
    rows = env.cr.dictfetchall()
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


@SERVER_MODES
def test_a_transient_failure_is_retried_until_it_succeeds(servers, workers):
    data = CommittedData()
    try:
        data.set_param("webhook_automation.retry_delay", "1")
        partner_id = data.create_record("res.partner", {"name": data.tag, "color": 0})
        rule = _webhook(
            data,
            LOCK_AND_WRITE.format(id=partner_id),
            webhook_mode="async",
            webhook_max_attempts=10,
        )
        server = servers.get(workers=workers, job_runner=True)
        with servers.report_on_failure():
            with Registry(database_under_test()).cursor() as lock_cr:
                lock_cr.execute(
                    "SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [partner_id]
                )
                response = requests.post(server.url(rule.path), json={}, timeout=30)
                assert response.status_code == 202, response.text
                log = wait_for(
                    lambda env: _call_log(env, rule.id),
                    until=lambda log: log and log["attempts"] >= 1,
                    timeout=30,
                    what="a first attempt failed on the lock",
                    servers=[server],
                )
                assert log["state"] in ("accepted", "running"), log
                lock_cr.rollback()  # releases the lock
            log = wait_for(
                lambda env: _call_log(env, rule.id),
                until=lambda log: log["state"] in ("done", "failed"),
                timeout=30,
                what="the call done once the lock is released",
                servers=[server],
            )
            assert log["state"] == "done", log
            assert log["attempts"] >= 2, log
            with data.env() as env:
                assert env["res.partner"].browse(partner_id).color == 1
    finally:
        data.cleanup()


@SERVER_MODES
def test_a_business_error_fails_at_once(servers, workers):
    data = CommittedData()
    try:
        name = f"{data.tag} refused"
        rule = _webhook(data, REFUSE.format(name=name), webhook_mode="async")
        data.delete_matching_later("res.partner", [("name", "=like", f"{data.tag}%")])
        server = servers.get(workers=workers, job_runner=True)
        with servers.report_on_failure():
            response = requests.post(server.url(rule.path), json={}, timeout=30)
            assert response.status_code == 202, response.text
            log = wait_for(
                lambda env: _call_log(env, rule.id),
                until=lambda log: log and log["state"] in ("done", "failed"),
                timeout=30,
                what="the call failed",
                servers=[server],
            )
            assert log == {
                "state": "failed",
                "attempts": 1,
                "status_code": 422,
                "error_code": "action_failed",
            }
            with data.env() as env:
                assert partner_names(env, data.tag) == {}
                # no other attempt is planned
                assert _job_states(env, rule.id) in ({"done": 1}, {"failed": 1})
    finally:
        data.cleanup()
