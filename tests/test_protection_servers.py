# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Protections on two real Odoo servers sharing one database (issue 15).

Each limit lives in PostgreSQL: the two servers (threaded, so that two of
them fit on a small test machine beside the test process; each serves calls
from many threads at once) share the rate limit's bucket, the concurrency
slots and the circuit breaker's count. Calls are spread over both servers.
The data is committed, hence deleted at the end of each test.
"""

import threading
import time
from contextlib import ExitStack

import pytest
import requests

from .server_harness import (
    CommittedData,
    OdooServer,
    in_process_job_runner_paused,
    post_concurrently,
    run_concurrently,
    wait_for,
)

FAIL = "raise UserError('this call always fails')"
SLEEP_2S = "env.cr.execute('SELECT pg_sleep(2)')"
# writes, then sleeps in SQL far past a 1-second budget
WRITE_THEN_SLEEP = """\
env['res.partner'].create({'name': payload['name']})
env.cr.execute('SELECT pg_sleep(5)')
"""
# holds the webhook's slot for up to 60 s in short statements: the database
# notices a dead client between two of them
HOLD = """\
if payload.get('hold'):
    for _index in range(300):
        env.cr.execute('SELECT pg_sleep(0.2)')
"""


@pytest.fixture(scope="module")
def servers():
    """Two threaded servers on the test database, without job runner."""
    with in_process_job_runner_paused(), ExitStack() as stack:
        yield [
            stack.enter_context(OdooServer(workers=0, name=f"protection-{name}"))
            for name in ("a", "b")
        ]


def _code(code):
    return {"state": "code", "code": code}


def _webhook(servers, data, code=None, **values):
    """Create a webhook on partners, without target, running ``code``."""
    rule = data.create_webhook(
        actions=[_code(code)] if code else [],
        record_getter=False,
        **values,
    )
    _warm_up(servers)
    return rule


def _texts(responses, expected=()):
    """Describe the responses whose status is not one of ``expected``."""
    return [
        f"{response.status_code} {response.text[:300]}"
        for response in responses
        if response.status_code not in expected
    ]


def _warm_up(servers):
    """Have each server load what a new rule changed, before the timed calls.

    Creating a rule signals a registry change: the first request of each
    server reloads its registry.
    """
    for server in servers:
        requests.post(server.url("/web/hook/warm-up"), json={}, timeout=60)


def _post_spread(servers, rule, payloads, **options):
    """POST the payloads concurrently, one server after the other."""

    def post(item):
        index, payload = item
        url = servers[index % len(servers)].url(rule.path)
        return requests.post(url, json=payload, timeout=60)

    return run_concurrently(post, list(enumerate(payloads)), **options)


def _report(servers):
    """Print the end of the servers' logs (pytest shows it for failures)."""
    for server in servers:
        server.print_log()


def test_rate_limit_is_shared_by_two_servers(servers):
    calls, duration, rate = 200, 3.0, 10
    data = CommittedData()
    try:
        rule = _webhook(
            servers,
            data,
            webhook_rate_limit=rate,
            webhook_rate_period="second",
            webhook_rate_burst=rate,
        )
        start = time.monotonic() + 0.5
        sent, answered = [], []
        lock = threading.Lock()

        def post(index):
            # the calls are sent evenly over ``duration`` seconds
            delay = start + index * duration / calls - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            with lock:
                sent.append(time.monotonic())
            url = servers[index % 2].url(rule.path)
            response = requests.post(url, json={"n": index}, timeout=60)
            with lock:
                answered.append(time.monotonic())
            return response

        try:
            responses = run_concurrently(post, range(calls), concurrency=40)
        except Exception:
            _report(servers)
            raise
        # t: from the first send to the last answer, the window in which the
        # servers decided; it is the sending time when the servers keep up
        # with the calls, longer when a loaded machine queues them
        elapsed = max(answered) - min(sent)
        statuses = [response.status_code for response in responses]
        assert set(statuses) <= {200, 429}, _texts(responses, (200, 429))
        accepted = statuses.count(200)
        assert rate <= accepted <= rate + rate * elapsed + 2, (accepted, elapsed)
        for response in responses:
            if response.status_code == 429:
                assert response.json()["error"]["code"] == "rate_limited"
                assert int(response.headers["Retry-After"]) >= 1
        # both servers accepted calls and refused some
        for parity in (0, 1):
            assert {statuses[i] for i in range(parity, calls, 2)} == {200, 429}
    finally:
        data.cleanup()


def test_concurrent_failures_pause_once(servers):
    data = CommittedData()
    try:
        rule = _webhook(
            servers, data, FAIL, webhook_failure_threshold=5, log_webhook_calls=True
        )
        responses = _post_spread(
            servers,
            rule,
            [{"n": n} for n in range(20)],
            concurrency=20,
            start_together=True,
        )
        codes = [
            (response.status_code, response.json()["error"]["code"])
            for response in responses
        ]
        assert set(codes) <= {(422, "action_failed"), (503, "webhook_paused")}, codes
        assert codes.count((422, "action_failed")) >= 5, codes
        with data.env() as env:
            automation = env["base.automation"].browse(rule.id)
            assert (
                automation.webhook_paused,
                automation.webhook_pause_reason,
                automation.webhook_failure_count,
            ) == (True, "failures", 5)
            notifications = env["mail.message"].search_count(
                [
                    ("model", "=", "base.automation"),
                    ("res_id", "=", rule.id),
                    ("message_type", "=", "user_notification"),
                ]
            )
            assert notifications == 1
        for server in servers:  # 503 until resumed, on every server
            response = requests.post(server.url(rule.path), json={}, timeout=30)
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "webhook_paused"
            assert response.headers["Retry-After"] == "300"
        with data.env() as env:
            env["base.automation"].browse(rule.id).action_webhook_resume()
        response = requests.post(servers[1].url(rule.path), json={}, timeout=30)
        assert response.status_code == 422, response.text
    finally:
        data.cleanup()


def test_concurrency_limit_across_servers(servers):
    data = CommittedData()
    try:
        rule = _webhook(servers, data, SLEEP_2S, webhook_max_concurrency=1)
        responses = _post_spread(
            servers, rule, [{}] * 4, concurrency=4, start_together=True
        )
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 429, 429, 429], _texts(responses, (429,))
        for response in responses:
            if response.status_code == 429:
                assert response.json()["error"]["code"] == "concurrency_limited"
                assert response.headers["Retry-After"] == "1"
        # the slot is free again
        response = requests.post(servers[0].url(rule.path), json={}, timeout=30)
        assert response.status_code == 200, response.text
    finally:
        data.cleanup()


def test_a_killed_server_frees_its_slot(servers):
    data = CommittedData()
    try:
        rule = _webhook(
            servers, data, HOLD, webhook_max_concurrency=1, webhook_time_limit=0
        )
        with OdooServer(workers=0, name="protection-killed") as doomed:

            def hold():
                """Call until the call holds the slot (the probes below take it
                for a moment too); it then runs until the server is killed."""
                for _attempt in range(100):
                    response = _ignore_errors(
                        requests.post,
                        doomed.url(rule.path),
                        json={"hold": 1},
                        timeout=90,
                    )
                    if response is None or response.status_code != 429:
                        return
                    time.sleep(0.1)

            holder = threading.Thread(target=hold, daemon=True)
            holder.start()
            url = servers[0].url(rule.path)
            # the doomed server's call holds the slot
            wait_for(
                lambda env: requests.post(url, json={}, timeout=30).status_code,
                until=lambda status: status == 429,
                timeout=30,
                what="the slot held by the doomed server",
            )
            doomed.kill()
        holder.join(30)
        # the database drops the dead connection, and its slot with it
        status = wait_for(
            lambda env: requests.post(url, json={}, timeout=30).status_code,
            until=lambda status: status == 200,
            timeout=15,
            what="the slot freed by the crash",
        )
        assert status == 200
    finally:
        data.cleanup()


def _ignore_errors(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except requests.RequestException:
        return None


def test_time_limit_undoes_a_slow_call(servers):
    data = CommittedData()
    try:
        rule = _webhook(servers, data, WRITE_THEN_SLEEP, webhook_time_limit=1)
        data.delete_matching_later("res.partner", [("name", "=", data.tag)])
        started = time.monotonic()
        response = requests.post(
            servers[0].url(rule.path), json={"name": data.tag}, timeout=30
        )
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "time_limit_exceeded"
        assert elapsed < 2.5, elapsed
        with data.env() as env:
            assert not env["res.partner"].search_count([("name", "=", data.tag)])
    finally:
        data.cleanup()


def test_backlog_full_without_job_runner(servers):
    data = CommittedData()
    try:
        rule = _webhook(servers, data, webhook_mode="async", webhook_max_backlog=20)
        responses = _post_spread(servers, rule, [{"n": n} for n in range(20)])
        assert [r.status_code for r in responses] == [202] * 20, _texts(
            responses, (202,)
        )
        responses = post_concurrently(
            servers[1].url(rule.path), [{"n": n} for n in range(5)]
        )
        for response in responses:
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "backlog_full"
            assert response.headers["Retry-After"] == "60"
        with data.env() as env:
            env.cr.execute(
                "SELECT count(*) FROM webhook_call_log"
                " WHERE automation_id = %s AND state = 'accepted'",
                [rule.id],
            )
            assert env.cr.fetchone()[0] == 20
    finally:
        data.cleanup()
