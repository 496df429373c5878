# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two Odoo servers behind a real load balancer, one crashing (issue 18).

Two separate multi-process servers (``workers=2`` each, ``--proxy-mode``)
serve the test database behind HAProxy (``load_balancer.py``: round robin,
health checks, retries only when a request could not reach a server). Server
``a`` has no job runner; server ``b`` runs queue_job's, which calls ``b``
back on its own port (queue_job's default: ``http_interface:http_port``), so
every job runs on ``b``. Calls go through the balancer only; HAProxy's
``X-Served-By`` header tells which server answered each.

What a crash may cost, and what it may not:

- a call answered 202 was stored (call log and job) in the transaction that
  committed before the answer: its job runs exactly once, whichever server
  accepted it and whatever happens to that server afterwards;
- a call cut by the crash gets a 502 from the balancer (or a connection
  error): its transaction may have committed or not, so it ran at most once,
  and its sender sends it again (with a delivery id, the repeat runs only if
  the first did not);
- a job that was running on a crashed server rolled its work back.

The data is committed, hence deleted at the end of each test.
"""

import os
import sys
import threading
from collections import Counter
from contextlib import ExitStack, contextmanager

import pytest
import requests

from .load_balancer import LoadBalancer
from .server_harness import (
    CommittedData,
    OdooServer,
    in_process_job_runner_paused,
    log_states,
    partner_names,
    post_concurrently,
    run_concurrently,
    wait_for,
)

WORKERS = 2
DELIVERY_HEADER = "X-Delivery-Id"
CREATE_PARTNER = "env['res.partner'].create({'name': payload['name']})"
# a job that takes a while, in short statements: a crash cuts it midway
CREATE_PARTNER_SLOWLY = """\
env['res.partner'].create({'name': payload['name']})
env.cr.execute('SELECT pg_sleep(0.1)')
env.cr.execute('SELECT pg_sleep(0.1)')
"""
# what the balancer answers when the server it sent a call to died: the
# sender's to send again, like a refused connection
RETRY_STATUSES = (502, 503)
CONNECTION_ERROR = "connection error"


class Cluster:
    """Servers ``a`` (no job runner) and ``b`` (job runner) behind ``balancer``."""

    def __init__(self, a, b, balancer):
        self.a = a
        self.b = b
        self.balancer = balancer

    @property
    def servers(self):
        """Return both Odoo servers."""
        return [self.a, self.b]

    def url(self, path):
        """Return the URL of ``path`` through the balancer."""
        return self.balancer.url(path)

    def ensure_up(self):
        """Start again a server a failed test left dead; wait until HAProxy has both."""
        for name, server in (("a", self.a), ("b", self.b)):
            if not server.alive:
                server.start()
            self.balancer.wait_for_state(name, "UP")

    @contextmanager
    def report_on_failure(self):
        """Print what the servers and HAProxy logged during the block if it fails."""
        parts = [*self.servers, self.balancer]
        marks = [part.log_size() for part in parts]
        try:
            yield
        except BaseException:
            for part, offset in zip(parts, marks, strict=True):
                part.print_log(offset, header=f"{part!r} during the test")
            raise


@pytest.fixture(scope="module")
def cluster():
    """Two servers and HAProxy; meanwhile the test process runs no job runner."""
    with in_process_job_runner_paused(), ExitStack() as stack:
        a, b = (
            stack.enter_context(
                OdooServer(
                    workers=WORKERS,
                    job_runner=runner,
                    name=f"scale-out-{name}",
                    keep_port=True,
                    extra_args=["--proxy-mode"],
                )
            )
            for name, runner in (("a", False), ("b", True))
        )
        balancer = stack.enter_context(
            LoadBalancer({"a": a.port, "b": b.port}, maxconn=WORKERS)
        )
        yield Cluster(a, b, balancer)
        # they hold nothing to save: a graceful stop would wait seconds for
        # each worker's next heartbeat
        balancer.kill()
        a.kill()
        b.kill()


def _webhook(data, code, **values):
    """Create a logged webhook on partners running ``code``, without target."""
    rule = data.create_webhook(
        actions=[{"state": "code", "code": code}],
        record_getter=False,
        log_webhook_calls=True,
        **values,
    )
    data.delete_matching_later("res.partner", [("name", "=like", f"{data.tag}%")])
    return rule


def _job_states(env, rule_id):
    """Return {job state: [names of the partners its call creates]} of a webhook."""
    env.cr.execute(
        "SELECT job.state, array_agg(log.request_body::jsonb ->> 'name')"
        "  FROM webhook_call_log log"
        "  JOIN queue_job job ON job.id = log.job_id"
        " WHERE log.automation_id = %s GROUP BY job.state",
        [rule_id],
    )
    return {state: sorted(names) for state, names in env.cr.fetchall()}


def _group_pids(pgid):
    """Return the ids of the processes of process group ``pgid`` (Linux)."""
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat_file:
                stat = stat_file.read()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:
            pids.add(int(entry))
    return pids


def _database_sessions(env, pids):
    """Return how many PostgreSQL sessions processes ``pids`` still have.

    Odoo names its sessions ``odoo-<pid>``. The session of a killed process
    ends (rolling its transaction back) once PostgreSQL notices the client is
    gone: at once when idle, after the running statement otherwise.
    """
    env.cr.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ANY(%s)",
        [[f"odoo-{pid}" for pid in pids]],
    )
    return env.cr.fetchone()[0]


def _crash(server):
    """SIGKILL a server; return once its database sessions are over."""
    pids = _group_pids(server.pid)
    server.kill()
    assert not server.alive
    wait_for(
        lambda env: _database_sessions(env, pids),
        until=lambda sessions: sessions == 0,
        timeout=30,
        what=f"the database sessions of the killed {server!r} ended",
    )


def _requeue_cut_jobs(env):
    """Requeue the jobs the crash cut, as the crons of a live server would.

    The started ones: the dead-job cron of webhook_automation (``grace=0``:
    the dead server's sessions are over, which the cron would otherwise wait
    60 s for); the enqueued ones: queue_job's "Jobs Garbage Collector"
    (``requeue_stuck_jobs()``), without its 5 minutes' delay. Returns the
    jobs the dead-job cron requeued.
    """
    requeued = env["queue.job"]._webhook_requeue_dead_jobs(grace=0)
    env["queue.job"].requeue_stuck_jobs(enqueued_delta=1 / 600, started_delta=0)
    return requeued


def _post_accepted(cluster, rule, names):
    """Post a call per name through the balancer; each must be answered 202."""
    responses = post_concurrently(
        cluster.url(rule.path), [{"name": name} for name in names]
    )
    assert [r.status_code for r in responses] == [202] * len(names), _texts(responses)
    return responses


def _wait_for_done_calls(cluster, rule, count):
    """Wait until at least ``count`` calls of ``rule`` are done."""
    wait_for(
        lambda env: log_states(env, rule.id).get("done", 0),
        until=lambda done: done >= count,
        timeout=60,
        what=f"{count} calls done",
        servers=cluster.servers,
    )


def _restart_runner_until_all_done(cluster, rule, calls):
    """Start the killed server ``b`` again; wait until the ``calls`` calls are done."""
    cluster.b.start()
    states = wait_for(
        lambda env: log_states(env, rule.id),
        until=lambda states: (
            states.get("done", 0) == calls or bool(states.get("failed"))
        ),
        timeout=120,
        what="every call done after the restart",
        servers=cluster.servers,
    )
    assert states == {"done": calls}


def _wait_until_settled(cluster, rule, timeout, what):
    """Wait until no call of ``rule`` waits or runs; return its log states."""
    return wait_for(
        lambda env: log_states(env, rule.id),
        until=lambda states: not {"accepted", "running"} & set(states),
        timeout=timeout,
        what=what,
        servers=cluster.servers,
    )


def _texts(responses):
    return [f"{response.status_code} {response.text[:300]}" for response in responses]


def _strip_own_ids(body):
    """Return an answer without what differs from call to call."""
    return {
        key: value
        for key, value in body.items()
        if key not in ("request_id", "duplicate", "original_request_id")
    }


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_repeats_of_a_delivery_over_two_servers_run_once(cluster, mode):
    """20 concurrent repeats of one delivery id, spread over both servers."""
    repeats = 20
    expected_status = {"sync": 200, "async": 202}[mode]
    data = CommittedData()
    try:
        name = f"{data.tag} once"
        rule = _webhook(
            data,
            CREATE_PARTNER,
            webhook_mode=mode,
            webhook_delivery_id_source="header",
            webhook_delivery_id_key=DELIVERY_HEADER,
        )
        with cluster.report_on_failure():
            cluster.ensure_up()
            responses = post_concurrently(
                cluster.url(rule.path),
                [{"name": name}] * repeats,
                concurrency=repeats,
                # a forged address: the balancer's own one comes after it
                headers={DELIVERY_HEADER: data.tag, "X-Forwarded-For": "203.0.113.9"},
                start_together=True,
            )
            statuses = [response.status_code for response in responses]
            assert statuses == [expected_status] * repeats, _texts(responses)
            served_by = Counter(r.headers.get("X-Served-By") for r in responses)
            assert set(served_by) == {"a", "b"}, served_by
            bodies = [response.json() for response in responses]
            first = [body for body in bodies if not body.get("duplicate")]
            assert len(first) == 1, bodies
            assert {body.get("original_request_id") for body in bodies} == {
                None,
                first[0]["request_id"],
            }
            # the repeats got the first call's answer, from either server
            assert [_strip_own_ids(body) for body in bodies] == [
                _strip_own_ids(first[0])
            ] * repeats
            assert len({body["request_id"] for body in bodies}) == repeats
            states = _wait_until_settled(cluster, rule, 60, "the delivery done")
            assert states == {"done": 1, "duplicate": repeats - 1}
            with data.env() as env:
                assert partner_names(env, data.tag) == {name: 1}
                # Odoo (--proxy-mode) logs the caller's address that HAProxy
                # forwarded, not the balancer's (127.0.0.2) nor a forged one
                assert log_states(env, rule.id, "remote_addr") == {"127.0.0.1": repeats}
    finally:
        data.cleanup()


class _Calls:
    """Async calls through the balancer, numbered; some wait for a gate."""

    def __init__(self, url, names, gate_from):
        self.url = url
        self.names = names
        self.gate_from = gate_from  # calls from this one on wait for the gate
        self.gate = threading.Event()
        self.answered = 0
        self.halfway = threading.Event()
        self._lock = threading.Lock()

    def post(self, index):
        """Send call ``index``; return (status or CONNECTION_ERROR, server, text)."""
        if index >= self.gate_from and not self.gate.wait(timeout=180):
            raise RuntimeError("the gate was never opened")
        try:
            response = requests.post(
                self.url, json={"name": self.names[index]}, timeout=60
            )
            outcome = (
                response.status_code,
                response.headers.get("X-Served-By"),
                response.text[:300],
            )
        except requests.ConnectionError as exc:
            outcome = (CONNECTION_ERROR, None, str(exc))
        with self._lock:
            self.answered += 1
            if self.answered >= len(self.names) // 2:
                self.halfway.set()
        return outcome


def test_a_server_killed_halfway_loses_no_accepted_call(cluster):
    """400 async calls while server ``a`` is SIGKILLed halfway and started again.

    ``a`` has no job runner: the jobs of the calls it accepted run on ``b``,
    which lives through the test, so no job is left "started" on a dead
    server. Calls 0-299 are sent at once (``a`` is killed after the 200th
    answer); calls 300-399 once ``a`` is up again and HAProxy sends it calls.
    """
    calls, gate_from = 400, 300
    data = CommittedData()
    try:
        rule = _webhook(data, CREATE_PARTNER, webhook_mode="async")
        names = [f"{data.tag} {index:03d}" for index in range(calls)]
        sender = _Calls(cluster.url(rule.path), names, gate_from)
        results = {}

        def send_all():
            results["outcomes"] = run_concurrently(
                sender.post, range(calls), concurrency=16
            )

        with cluster.report_on_failure():
            cluster.ensure_up()
            thread = threading.Thread(target=send_all, name="webhook-sender")
            thread.start()
            try:
                assert sender.halfway.wait(timeout=120), "no call answered"
                # from the tests' thread: a server dies with the thread that
                # started it (see server_harness)
                _crash(cluster.a)
                cluster.a.start()
                cluster.balancer.wait_for_state("a", "UP")
            finally:
                sender.gate.set()
                thread.join(300)
            assert not thread.is_alive(), "the calls did not end"
            outcomes = results["outcomes"]
            statuses = Counter(status for status, _server, _text in outcomes)
            unexpected = [
                (index, outcome)
                for index, outcome in enumerate(outcomes)
                if outcome[0] not in (202, CONNECTION_ERROR, *RETRY_STATUSES)
            ]
            assert not unexpected, unexpected
            accepted = [names[i] for i, out in enumerate(outcomes) if out[0] == 202]
            to_retry = [names[i] for i, out in enumerate(outcomes) if out[0] != 202]
            # each call counted once, in one class
            assert len(accepted) + len(to_retry) == calls
            served = Counter(
                (index >= gate_from, server)
                for index, (status, server, _text) in enumerate(outcomes)
                if status == 202
            )
            # a served calls before its crash, and again once restarted
            assert served[(False, "a")] and served[(True, "a")], served
            states = _wait_until_settled(cluster, rule, 180, "every stored call done")
            with data.env() as env:
                created = partner_names(env, data.tag)
            # an accepted call ran exactly once; a call to retry at most once
            assert {name: created.get(name, 0) for name in accepted} == dict.fromkeys(
                accepted, 1
            )
            assert set(created) - set(accepted) <= set(to_retry)
            assert max(created.values()) == 1, created
            assert states == {"done": len(created)}, states
            sys.stderr.write(  # the counts of the run, shown with -s
                f"\nscale-out: {dict(statuses)}; accepted by server (after the "
                f"restart, server): {dict(served)}; stored before the crash cut "
                f"them: {len(set(created) & set(to_retry))} of {len(to_retry)}\n"
            )
    finally:
        data.cleanup()


def test_jobs_pending_when_the_runner_server_is_killed_run_once(cluster):
    """The job runner's server ``b`` is SIGKILLed with jobs waiting, and restarted.

    The jobs pending at the crash run after the restart, once each. The jobs
    the crash cut while running (at most ``WORKERS``: the channel's capacity)
    stay "started" in queue_job 18.0.1.6.0, which has no dead-job check;
    their work was rolled back with their transaction (no partner), and
    webhook_automation's dead-job cron requeues them (run by the test once
    the dead server's database sessions are over, rather than waiting for
    the cron); they then run once too.
    """
    calls = 30
    data = CommittedData()
    try:
        rule = _webhook(data, CREATE_PARTNER_SLOWLY, webhook_mode="async")
        names = [f"{data.tag} {index:02d}" for index in range(calls)]
        with cluster.report_on_failure():
            cluster.ensure_up()
            responses = _post_accepted(cluster, rule, names)
            assert {r.headers.get("X-Served-By") for r in responses} == {"a", "b"}
            _wait_for_done_calls(cluster, rule, 3)
            _crash(cluster.b)
            with data.env() as env:
                jobs = _job_states(env, rule.id)
                created = partner_names(env, data.tag)
            pending = jobs.get("pending", [])
            cut = jobs.get("started", []) + jobs.get("enqueued", [])
            assert pending, jobs
            assert len(cut) <= WORKERS, jobs
            assert set(created) == set(jobs.get("done", [])), (created, jobs)
            assert set(created.values()) == {1}, created
            with data.env() as env:
                # their sessions are over (_crash): requeuing runs none twice
                env.cr.execute(
                    "SELECT job.id FROM webhook_call_log log"
                    "  JOIN queue_job job ON job.id = log.job_id"
                    " WHERE log.automation_id = %s AND job.state = 'started'",
                    [rule.id],
                )
                started_ids = {row[0] for row in env.cr.fetchall()}
                requeued = _requeue_cut_jobs(env)
                # every job the crash cut while running, by the dead-job cron
                assert started_ids <= set(requeued.ids), (started_ids, jobs)
            _restart_runner_until_all_done(cluster, rule, calls)
            with data.env() as env:
                assert partner_names(env, data.tag) == dict.fromkeys(names, 1)
                assert _job_states(env, rule.id) == {"done": names}
    finally:
        data.cleanup()


def test_jobs_running_several_calls_run_each_once_through_a_crash(cluster):
    """Calls per Job 5: jobs take each other's calls; ``b`` dies mid-batch.

    ``b`` runs two jobs at once (its channel's capacity), each running its
    call then up to 4 waiting ones: they claim calls with ``SKIP LOCKED``
    and never run one twice. The crash rolls back the calls of the batches
    it cut, whose jobs are then still pending, and the jobs it cut are
    requeued: after the restart, every accepted call has run exactly once,
    and every job is done.
    """
    calls = 40
    data = CommittedData()
    try:
        rule = _webhook(
            data,
            CREATE_PARTNER_SLOWLY,
            webhook_mode="async",
            webhook_job_batch_size=5,
        )
        names = [f"{data.tag} {index:02d}" for index in range(calls)]
        with cluster.report_on_failure():
            cluster.ensure_up()
            _post_accepted(cluster, rule, names)
            _wait_for_done_calls(cluster, rule, 10)
            _crash(cluster.b)
            with data.env() as env:
                created = partner_names(env, data.tag)
                assert set(created.values()) == {1}, created
                # what ran is what was committed: the cut batches left nothing
                env.cr.execute(
                    "SELECT request_body::jsonb ->> 'name' FROM webhook_call_log"
                    " WHERE automation_id = %s AND state = 'done'",
                    [rule.id],
                )
                assert set(created) == {row[0] for row in env.cr.fetchall()}
                _requeue_cut_jobs(env)
            _restart_runner_until_all_done(cluster, rule, calls)
            # queue_job's runner may have enqueued the job of a call that
            # another job was running (it enqueues without looking at the
            # state): that job then ends at once, the call being done
            jobs = wait_for(
                lambda env: _job_states(env, rule.id),
                until=lambda jobs: set(jobs) == {"done"},
                timeout=60,
                what="every job done",
                servers=cluster.servers,
            )
            assert jobs == {"done": names}
            with data.env() as env:
                assert partner_names(env, data.tag) == dict.fromkeys(names, 1)
                env.cr.execute(
                    "SELECT count(*) FILTER (WHERE job.result LIKE %s), count(*)"
                    "  FROM webhook_call_log log"
                    "  JOIN queue_job job ON job.id = log.job_id"
                    " WHERE log.automation_id = %s",
                    ["%run by the job of another call%", rule.id],
                )
                taken, jobs = env.cr.fetchone()
            # most calls ran in the job of another call
            assert taken >= calls // 2, (taken, jobs)
            sys.stderr.write(f"\nbatches: {taken} of {jobs} calls run by another job\n")
    finally:
        data.cleanup()
