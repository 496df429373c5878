# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Real Odoo servers in separate processes, for tests that need them.

Most tests use the Odoo server pytest-odoo runs inside the test process
(``tests/common.py``). Some behaviours only show with real servers: several
worker processes, queue_job's job runner calling the server back, a server
that crashes. This module runs them on the test database (the one pytest-odoo
uses), each in its own process group, and gives the tests what they need
around them:

- :class:`OdooServer`: one server (threaded, or ``workers=N``), with or
  without queue_job's job runner, on a free port of 127.0.0.1, logging to a
  file; :meth:`~OdooServer.stop` (SIGTERM) or :meth:`~OdooServer.kill`
  (SIGKILL, a crash); a context manager that always cleans up;
- :class:`ServerPool`: one live server at a time, reused by the tests that ask
  for the same kind, so that a module starts as few servers as possible;
- :func:`in_process_job_runner_paused`: pytest-odoo's server starts queue_job's
  runner in the test process too; only one runner per database may run jobs
  (the others lose the "master" election), so it is paused meanwhile;
- :class:`CommittedData`: committed rules, records and system parameters,
  deleted or restored by :meth:`~CommittedData.cleanup` (call it in a
  ``finally``), with the call logs and queue jobs of the rules;
- :func:`wait_for`: poll the database, in a new transaction each time, until
  a condition holds; :func:`log_states` counts a webhook's call logs by state
  (or another column), :func:`partner_names` the partners a test created;
- :func:`run_concurrently` and :func:`post_concurrently`: many requests from a
  bounded pool of threads, with timeouts.

Typical use::

    with in_process_job_runner_paused(), ServerPool() as pool:
        server = pool.get(workers=2, job_runner=True)
        data = CommittedData()
        try:
            rule = data.create_webhook(actions=[...], webhook_mode="async")
            with pool.report_on_failure():
                responses = post_concurrently(server.url(rule.path), payloads)
                wait_for(lambda env: ..., what="every call done", servers=[server])
        finally:
            data.cleanup()

Run as a script, this file is the launcher of the servers: ``python3
server_harness.py <odoo server options>`` runs Odoo as ``python3 -m odoo``
does, with three changes for tests: queue_job's runner starts as soon as the
registry is loaded instead of after its start delay (5 s); in workers mode
Odoo's gevent (websocket) process is not spawned (webhooks do not use it, and
its psycogreen dependency is often missing in test environments); the server
and its workers die with the test process.
"""

import atexit
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress

import requests

import odoo
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

HOST = "127.0.0.1"
# jobs a threaded server with a job runner runs at once
THREADED_JOB_CAPACITY = 4
START_TIMEOUT = 90  # seconds until /web/health answers
STOP_TIMEOUT = 30  # seconds a graceful stop may take before SIGKILL
# a static file: its first request makes a server read every manifest
WARM_UP_PATH = "/web/static/img/favicon.ico"
FAILURE_LOG_LINES = 150  # lines of server log printed when a test fails
# database settings a server must share with the test process
SHARED_OPTIONS = (
    "db_host",
    "db_port",
    "db_user",
    "db_password",
    "db_sslmode",
    "db_maxconn",
    "data_dir",
)

# servers started by this process and not stopped yet: killed at exit
_RUNNING = set()
# tells a server which process started it, so that it dies with it
PARENT_ENV = "WEBHOOK_HARNESS_PARENT_PID"
PR_SET_PDEATHSIG = 1  # Linux prctl option

Webhook = namedtuple("Webhook", "id uuid path")
Webhook.__doc__ = "A committed webhook rule: its id, its uuid and its URL path."


def database_under_test():
    """Return the name of the database the tests run on (pytest-odoo's)."""
    # imported here: the server processes run this file and must not import
    # Odoo's test framework (it complains when imported outside tests)
    from odoo.tests.common import get_db_name

    return get_db_name()


def free_port():
    """Return a TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _tail(path, lines=FAILURE_LOG_LINES, offset=0):
    """Return the last ``lines`` lines of the file at ``path`` from ``offset``."""
    try:
        with open(path, "rb") as log_file:
            log_file.seek(offset)
            text = log_file.read().decode(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


class ChildProcess:
    """A process the tests start in its own process group, with its log file.

    What :class:`OdooServer` and the load balancer
    (``tests/load_balancer.py``) share: the process group killed at once
    (:meth:`kill`), a graceful :meth:`stop` then SIGKILL, the log's tail for
    failures, a context manager that always cleans up, and the registry of
    running processes killed when the test process exits. Subclasses set
    ``process`` (:class:`subprocess.Popen`, ``start_new_session=True``),
    ``log_path`` and ``log_dir``, and add themselves to ``_RUNNING`` when
    they start.
    """

    stop_timeout = STOP_TIMEOUT  # seconds a graceful stop may take
    failure_log_lines = FAILURE_LOG_LINES

    start_timeout = START_TIMEOUT  # seconds until it is ready
    # what its log says when its port was taken meanwhile (then retried)
    port_taken_message = "Address already in use"

    def __init__(self, log_dir, prefix):
        self._own_log_dir = log_dir is None
        self.log_dir = log_dir or tempfile.mkdtemp(prefix=prefix)
        self.log_path = None
        self.process = None
        self.port = None
        self._start_offset = 0

    def _prepare_start(self):
        """Prepare what every start needs (e.g. a configuration file)."""

    def _choose_port(self):
        """Choose the port to listen on (a free one) and what depends on it.

        Returns the port.
        """
        self.port = free_port()
        return self.port

    def _command(self):
        """Return the command line of the process."""
        raise NotImplementedError

    def _environment(self):
        """Return the environment of the process (None: the test process's)."""
        return None

    def _is_ready(self):
        """Tell whether the process serves what it should (it runs)."""
        raise NotImplementedError

    def _check_startup(self):
        """Raise RuntimeError if the log already tells that it will not start."""

    def start(self, timeout=None):
        """Start the process and wait until it is ready; return self.

        Raises RuntimeError with the end of its log if it does not come up in
        time. A port taken meanwhile by someone else is retried.
        """
        if self.alive:
            return self
        self._prepare_start()
        for attempt in range(3):
            self._choose_port()
            self._start_offset = self.log_size()
            with open(self.log_path, "ab") as log_file:
                log_file.write(f"==== starting {self!r}\n".encode())
                log_file.flush()
                self.process = subprocess.Popen(
                    self._command(),
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    env=self._environment(),
                    start_new_session=True,  # its own process group: see kill()
                )
            _RUNNING.add(self)
            try:
                self._wait_ready(timeout or self.start_timeout)
                return self
            except RuntimeError:
                port_taken = self.port_taken_message in self._startup_log()
                self.kill()
                if not port_taken or attempt == 2:
                    raise
        return self

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive:
                raise RuntimeError(
                    f"{self!r} exited with code {self.process.returncode} while "
                    f"starting; its log ({self.log_path}) ends with:\n"
                    f"{self.log_tail()}"
                )
            self._check_startup()
            with suppress(requests.RequestException, OSError):
                if self._is_ready():
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self!r} was not ready within {timeout}s; its log "
                    f"({self.log_path}) ends with:\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def _startup_log(self):
        """Return what the process logged since its last start."""
        return self.log_tail(offset=self._start_offset)

    @property
    def pid(self):
        """Return the process id (of the master, in Odoo's workers mode)."""
        return self.process.pid if self.process else None

    @property
    def alive(self):
        """Tell whether the (master) process still runs."""
        if self.process is None or self.process.returncode is not None:
            return False
        if not hasattr(os, "waitid"):
            return self.process.poll() is None
        # look without reaping it: until it is reaped, its pid keeps naming
        # its process group, which _kill_group() kills
        try:
            flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
            return os.waitid(os.P_PID, self.process.pid, flags) is None
        except ChildProcessError:
            return False

    def stop(self, timeout=None):
        """Stop gracefully (SIGTERM), SIGKILL the process group if it hangs.

        Whatever remains of its process group (Odoo's workers, its job
        runner) is killed.
        """
        if self.process is None:
            return
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + (timeout or self.stop_timeout)
            while self.alive and time.monotonic() < deadline:
                time.sleep(0.05)
        self._kill_group()

    def kill(self):
        """Crash it: SIGKILL to all its processes at once."""
        if self.process is None:
            return
        self._kill_group()

    def _kill_group(self):
        # the process group is its own (start_new_session), and nothing
        # else; its id is the first process's pid, safe to use until that
        # process is reaped (wait)
        if self.process.returncode is None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(self.stop_timeout)
        _RUNNING.discard(self)

    def close(self):
        """Stop it and remove its temporary directory (if it made one)."""
        self.stop()
        if self._own_log_dir and not os.environ.get("WEBHOOK_KEEP_SERVER_LOGS"):
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, exc_type, exc_value, traceback):
        if exc_type is not None:
            self.print_log(header=f"{self!r} during the failed block")
        self.close()

    def log_size(self):
        """Return the current size of the log, to read what follows later."""
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def log_tail(self, lines=None, offset=0):
        """Return the last ``lines`` lines of the log after ``offset``."""
        return _tail(self.log_path, lines or self.failure_log_lines, offset)

    def print_log(self, offset=0, header=None, lines=None):
        """Print the end of the log to stderr (pytest shows it for failures)."""
        sys.stderr.write(
            f"\n===== {header or repr(self)}: {self.log_path}\n"
            f"{self.log_tail(lines, offset)}\n===== end of log\n"
        )


class OdooServer(ChildProcess):
    """An Odoo server on the test database, in its own process group.

    ``workers=0`` runs the threaded server, ``workers=N`` the multi-process
    one with N HTTP workers. ``job_runner=True`` loads queue_job as a server
    wide module (``--load=base,web,queue_job``) with ``channels`` in the
    ``[queue_job]`` section of the server's configuration file (by default
    see :func:`default_channels`), so that the runner calls the server back on
    its own port; ``job_runner=False`` loads ``base,web`` only: jobs wait.
    Crons never run (``--max-cron-threads=0``).

    Use it as a context manager (start, then stop whatever happens) or call
    :meth:`start` and :meth:`stop` yourself.
    """

    def __init__(
        self,
        db_name=None,
        *,
        workers=0,
        job_runner=False,
        channels=None,
        log_dir=None,
        name=None,
        extra_args=(),
        keep_port=False,
    ):
        self.db_name = db_name or database_under_test()
        # a restarted server listens on its first port again (a load balancer
        # points to it) instead of a new free one
        self.keep_port = keep_port
        self.workers = workers
        self.job_runner = job_runner
        self.channels = channels or default_channels(workers)
        self.extra_args = list(extra_args)
        self.kind = describe_kind(workers, job_runner)
        self.name = name or re.sub(r"\W+", "-", self.kind)
        super().__init__(log_dir, prefix="webhook-server-")
        self.log_path = os.path.join(self.log_dir, f"{self.name}.log")
        self.config_path = os.path.join(self.log_dir, f"{self.name}.conf")

    def __repr__(self):
        state = "running" if self.alive else "stopped"
        return f"<OdooServer {self.kind} port={self.port} {state}>"

    # ------------------------------------------------------------------
    # Addresses
    # ------------------------------------------------------------------

    @property
    def base_url(self):
        """Return the server's root URL, e.g. ``http://127.0.0.1:41234``."""
        return f"http://{HOST}:{self.port}"

    def url(self, path):
        """Return the URL of ``path`` (``/web/hook/...``) on this server."""
        return self.base_url + path

    # ------------------------------------------------------------------
    # Start and stop
    # ------------------------------------------------------------------

    def _write_config(self):
        """Write the server's configuration file: database and queue_job."""
        lines = ["[options]"]
        for key in SHARED_OPTIONS:
            value = config.get(key)
            if value not in (None, False, ""):
                lines.append(f"{key} = {value}")
        if self.job_runner:
            lines += ["", "[queue_job]", f"channels = {self.channels}"]
        # the file may hold the database password: only for this user
        descriptor = os.open(
            self.config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600
        )
        with os.fdopen(descriptor, "w") as config_file:
            config_file.write("\n".join(lines) + "\n")

    def _command(self):
        """Return the command line that starts the server."""
        modules = "base,web,queue_job" if self.job_runner else "base,web"
        return [
            sys.executable,
            os.path.abspath(__file__),
            f"--config={self.config_path}",
            f"--database={self.db_name}",
            f"--db-filter=^{re.escape(self.db_name)}$",
            f"--addons-path={config['addons_path']}",
            f"--http-interface={HOST}",
            f"--http-port={self.port}",
            # unused (see the module's docstring) but kept off Odoo's default
            f"--gevent-port={free_port()}",
            f"--workers={self.workers}",
            "--max-cron-threads=0",
            f"--load={modules}",
            "--log-level=info",
            *self.extra_args,
        ]

    def _environment(self):
        """Return the server's environment: no queue_job settings of ours leak."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("ODOO_QUEUE_JOB_")
            and key not in ("ODOO_RC", "OPENERP_SERVER")
        }
        env["PYTHONUNBUFFERED"] = "1"
        env[PARENT_ENV] = str(os.getpid())
        return env

    def _prepare_start(self):
        """Write the server's configuration file."""
        self._write_config()

    def _choose_port(self):
        """A free port, or the first one again with ``keep_port``."""
        if self.keep_port and self.port:
            return self.port
        return super()._choose_port()

    def _check_startup(self):
        """Raise if the server logged that it cannot load the database."""
        if "Failed to initialize database" in self._startup_log():
            raise RuntimeError(
                f"{self!r} cannot load the database {self.db_name}; its log "
                f"({self.log_path}) ends with:\n{self.log_tail()}"
            )

    def _is_ready(self):
        """Tell whether ``/web/health`` answers: the registry is loaded."""
        # with one database, the answer comes once its registry is loaded
        response = requests.get(self.url("/web/health"), timeout=5)
        if response.status_code != 200:
            return False
        self._warm_up()
        return True

    def _warm_up(self):
        """Have the server compute what its first requests would all compute.

        The first request of a path with a module and a file (any path but
        ``/web/health``) makes Odoo read every manifest, with ``ast``: on
        CPython 3.11 concurrent ``ast`` parsing may fail with "SystemError:
        AST constructor recursion depth mismatch" (CPython gh-106905), which
        the first burst of concurrent calls of a threaded server would hit.
        """
        requests.get(self.url(WARM_UP_PATH), timeout=30)


@atexit.register
def _kill_forgotten_servers():
    """Kill the servers nobody stopped (an interrupted test run)."""
    for server in list(_RUNNING):
        server.kill()


def default_channels(workers):
    """Return queue_job's channels for a server: as many jobs as it can serve.

    A multi-process server runs one request per worker: more jobs at once
    would wait for a worker, and the runner, which waits 1 s for an answer,
    would set them back to pending and ask again.
    """
    capacity = workers or THREADED_JOB_CAPACITY
    return f"root:{capacity},root.webhook:{capacity}"


def describe_kind(workers, job_runner):
    """Return a short label of a server kind, e.g. ``workers=2+runner``."""
    label = f"workers={workers}" if workers else "threaded"
    return label + ("+runner" if job_runner else "")


class ServerPool:
    """Servers of a test module: one live at a time, reused while it fits.

    :meth:`get` returns the live server if it is of the kind asked for, else
    stops it and starts one of that kind; :meth:`start` always starts a new
    one. Having one live server at a time also guarantees that at most one
    job runner runs. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, db_name=None):
        self.db_name = db_name or database_under_test()
        self.log_dir = tempfile.mkdtemp(prefix="webhook-servers-")
        self.current = None
        self.started = []  # every server started, for the failure reports

    def get(self, *, workers=0, job_runner=False):
        """Return a live server of this kind, reusing the current one if it fits."""
        current = self.current
        if (
            current is not None
            and current.alive
            and (current.workers, current.job_runner) == (workers, job_runner)
        ):
            return current
        return self.start(workers=workers, job_runner=job_runner)

    def start(self, *, workers=0, job_runner=False, **options):
        """Stop the current server, start a new one of this kind and return it."""
        self.stop_current()
        server = OdooServer(
            self.db_name,
            workers=workers,
            job_runner=job_runner,
            log_dir=self.log_dir,
            name=f"{len(self.started) + 1:02d}-{describe_kind(workers, job_runner)}",
            **options,
        )
        self.started.append(server)
        self.current = server
        server.start()
        return server

    def stop_current(self):
        """Stop the current server, if any (gracefully)."""
        if self.current is not None:
            self.current.stop()
            self.current = None

    @contextmanager
    def report_on_failure(self):
        """Print what the servers logged during the block if the block fails."""
        marks = {id(server): server.log_size() for server in self.started}
        try:
            yield
        except BaseException:
            for server in self.started:
                offset = marks.get(id(server), 0)
                if server.log_size() > offset:
                    server.print_log(offset, header=f"{server!r} during the test")
            raise

    def close(self):
        """Stop every server and remove the logs."""
        for server in self.started:
            server.stop()
        self.current = None
        if not os.environ.get("WEBHOOK_KEEP_SERVER_LOGS"):
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()


@contextmanager
def in_process_job_runner_paused():
    """Stop queue_job's runner of the test process during the block.

    When queue_job is installed, pytest-odoo's in-process server starts a job
    runner too. It would take the database's runner lock (the servers' own
    runners would then never run a job) and run jobs itself, even while a test
    wants them to wait. It is started again after the block.
    """
    jobrunner = sys.modules.get("odoo.addons.queue_job.jobrunner")
    thread = getattr(jobrunner, "runner_thread", None)
    if thread is None or not thread.is_alive():
        yield
        return
    thread.stop()
    thread.join(STOP_TIMEOUT)
    if thread.is_alive():
        raise RuntimeError("queue_job's runner of the test process does not stop")
    jobrunner.runner_thread = None
    try:
        yield
    finally:
        if jobrunner.runner_thread is None:
            jobrunner._start_runner_thread("threaded server")


# ----------------------------------------------------------------------
# Committed data
# ----------------------------------------------------------------------


@contextmanager
def committed_env(db_name=None):
    """Yield a superuser environment on a new cursor, committed at the end.

    Unlike the tests' own environment, what it writes is seen by the servers.
    """
    with Registry(db_name or database_under_test()).cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


class CommittedData:
    """Records a test commits for the servers to see, removed by :meth:`cleanup`.

    Everything created through it (or handed to :meth:`delete_later`) is
    deleted by :meth:`cleanup`, newest first, each step in its own
    transaction; a webhook goes with its call logs and its queue jobs.
    :attr:`tag` is unique to the test: name records with it, and delete them
    with :meth:`delete_matching_later`.
    """

    def __init__(self, db_name=None):
        self.db_name = db_name or database_under_test()
        self.tag = f"wa-test-{uuid.uuid4().hex[:10]}"
        self._cleanups = []

    def env(self):
        """Return a context manager: a committed superuser environment."""
        return committed_env(self.db_name)

    def create_record(self, model, values):
        """Create and commit a record of ``model``; return its id."""
        with self.env() as env:
            record_id = env[model].create(values).id
        self.delete_later(model, [record_id])
        return record_id

    def create_webhook(self, model="res.partner", actions=(), **values):
        """Create and commit an "On webhook" rule with its server actions.

        ``actions`` are dicts of ``ir.actions.server`` values (model and usage
        are filled in); other keyword arguments are values of the rule.
        Returns a :data:`Webhook`: its id, uuid and URL path.
        """
        with self.env() as env:
            model_id = env["ir.model"]._get(model).id
            rule = env["base.automation"].create(
                {
                    "name": values.pop("name", f"{self.tag} webhook"),
                    "model_id": model_id,
                    "trigger": "on_webhook",
                    **values,
                }
            )
            for action_values in actions:
                env["ir.actions.server"].create(
                    {
                        "name": f"{self.tag} action",
                        "model_id": model_id,
                        "usage": "base_automation",
                        "base_automation_id": rule.id,
                        **action_values,
                    }
                )
            webhook = Webhook(
                rule.id, rule.webhook_uuid, f"/web/hook/{rule.webhook_uuid}"
            )
        self._cleanups.append(lambda env: delete_webhook(env, webhook.id))
        return webhook

    def set_param(self, key, value):
        """Set a system parameter, restored to its current value by cleanup."""
        with self.env() as env:
            params = env["ir.config_parameter"]
            previous = params.get_param(key)
            params.set_param(key, value)
        self._cleanups.append(
            lambda env: env["ir.config_parameter"].set_param(key, previous)
        )

    def delete_later(self, model, ids):
        """Delete these records of ``model`` at cleanup (those that remain)."""
        ids = list(ids)
        self._cleanups.append(lambda env: env[model].browse(ids).exists().unlink())

    def delete_matching_later(self, model, domain):
        """Delete the records of ``model`` matching ``domain`` at cleanup."""
        self._cleanups.append(
            lambda env: (
                env[model].with_context(active_test=False).search(domain).unlink()
            )
        )

    def cleanup(self):
        """Delete and restore everything, newest first; raise the first error."""
        errors = []
        while self._cleanups:
            step = self._cleanups.pop()
            try:
                with self.env() as env:
                    step(env)
            except Exception as exc:  # pylint: disable=broad-except
                errors.append(exc)
        if errors:
            raise errors[0]


def webhook_job_ids(env, rule_id):
    """Return the ids of the queue jobs of the calls of webhook ``rule_id``."""
    if "queue.job" not in env:
        return []
    env.cr.execute(
        """
        SELECT id FROM queue_job
         WHERE model_name = 'base.automation'
           AND records -> 'ids' @> %s::jsonb
        """,
        [json.dumps([rule_id])],
    )
    job_ids = {row[0] for row in env.cr.fetchall()}
    if "job_id" in env["webhook.call.log"]._fields:
        env.cr.execute(
            "SELECT job_id FROM webhook_call_log"
            " WHERE automation_id = %s AND job_id IS NOT NULL",
            [rule_id],
        )
        job_ids.update(row[0] for row in env.cr.fetchall())
    return sorted(job_ids)


def delete_webhook(env, rule_id):
    """Delete a webhook rule, its actions, call logs and queue jobs."""
    job_ids = webhook_job_ids(env, rule_id)
    if job_ids:
        env["queue.job"].browse(job_ids).exists().unlink()
    # actions, call logs and delivery ids go with the rule (ondelete cascade)
    env["base.automation"].browse(rule_id).exists().unlink()


# ----------------------------------------------------------------------
# Waiting and concurrent calls
# ----------------------------------------------------------------------


def log_states(env, rule_id, column="state"):
    """Return {state: number of call logs} of webhook ``rule_id``.

    Or by the value of another ``column`` of the logs (``remote_addr``...).
    """
    env.cr.execute(
        SQL(
            "SELECT %s, count(*) FROM webhook_call_log"
            " WHERE automation_id = %s GROUP BY 1",
            SQL.identifier(column),
            rule_id,
        )
    )
    return dict(env.cr.fetchall())


def partner_names(env, prefix):
    """Return {name: number of partners} of the partners named ``prefix``..."""
    env.cr.execute(
        "SELECT name, count(*) FROM res_partner WHERE name LIKE %s GROUP BY name",
        [prefix.replace("%", r"\%").replace("_", r"\_") + "%"],
    )
    return dict(env.cr.fetchall())


def wait_for(
    fetch,
    until=bool,
    *,
    timeout=60,
    interval=0.25,
    what="the condition",
    servers=(),
    db_name=None,
):
    """Poll the database until ``until(fetch(env))`` holds; return that value.

    ``fetch(env)`` reads in a new transaction each time (so it sees what the
    servers committed). Raises AssertionError with the last value read when
    ``timeout`` seconds pass, or at once if one of ``servers`` died.
    """
    deadline = time.monotonic() + timeout
    while True:
        with committed_env(db_name) as env:
            value = fetch(env)
        if until(value):
            return value
        dead = [server for server in servers if not server.alive]
        if dead:
            raise AssertionError(
                f"waiting for {what}: {dead[0]!r} died; last value: {value!r}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what} did not happen within {timeout}s; last value: {value!r}"
            )
        time.sleep(interval)


def run_concurrently(func, items, concurrency=20, start_together=False):
    """Call ``func(item)`` for each item from ``concurrency`` threads.

    Returns the results in the order of ``items``; the first exception is
    raised (naming its item). ``start_together`` holds every thread until
    all are ready, so that the calls really overlap; it needs as many
    threads as items.
    """
    items = list(items)
    barrier = None
    if start_together:
        if len(items) > concurrency:
            raise ValueError("start_together needs one thread per item")
        barrier = threading.Barrier(len(items))

    def call(index_item):
        index, item = index_item
        if barrier is not None:
            barrier.wait(timeout=30)
        try:
            return func(item)
        except Exception as exc:
            raise RuntimeError(f"call {index} ({item!r}) failed: {exc}") from exc

    workers = max(1, min(concurrency, len(items)))
    with ThreadPoolExecutor(workers, thread_name_prefix="webhook-client") as pool:
        return list(pool.map(call, enumerate(items)))


def post_concurrently(
    url, payloads, *, concurrency=20, headers=None, timeout=60, start_together=False
):
    """POST each payload as JSON to ``url`` concurrently; return the responses.

    ``headers`` is a dict for every call, or a function of the payload.
    """

    def post(payload):
        call_headers = headers(payload) if callable(headers) else headers
        return requests.post(url, json=payload, headers=call_headers, timeout=timeout)

    return run_concurrently(
        post, payloads, concurrency=concurrency, start_together=start_together
    )


# ----------------------------------------------------------------------
# The launcher of the servers
# ----------------------------------------------------------------------


def _die_with_parent():
    """Have Linux SIGKILL this process when its parent dies; False if it cannot.

    The signal comes when the parent's thread that started this process ends:
    servers are started from the tests' (main) thread, workers from their
    master's.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def _launch_server(args):
    """Run an Odoo server as ``python3 -m odoo`` does, tuned for tests.

    The server and its workers die with the test process, even when it is
    killed: its job runner would otherwise keep the database's runner lock.
    """
    parent = os.environ.pop(PARENT_ENV, None)
    if parent and _die_with_parent() and os.getppid() != int(parent):
        return  # the test process died meanwhile
    from odoo.cli.command import main
    from odoo.service import server

    registry_loaded = threading.Event()
    preload_registries = server.preload_registries

    def preload_registries_then_tell(dbnames):
        try:
            return preload_registries(dbnames)
        finally:
            registry_loaded.set()

    load_server_wide_modules = server.load_server_wide_modules

    def load_server_wide_modules_without_runner_delay():
        load_server_wide_modules()
        jobrunner = sys.modules.get("odoo.addons.queue_job.jobrunner")
        if jobrunner is None:
            return
        # the runner waits 5 s to let the server start: instead, the threaded
        # server's runner waits for the registry (loaded after the runner is
        # started), a multi-process server's for nothing (its workers are
        # forked once the registry is loaded)
        jobrunner.START_DELAY = 0
        run_thread = jobrunner.QueueJobRunnerThread.run

        def run_thread_once_registry_loaded(thread):
            registry_loaded.wait(START_TIMEOUT)
            return run_thread(thread)

        jobrunner.QueueJobRunnerThread.run = run_thread_once_registry_loaded

    server.preload_registries = preload_registries_then_tell
    server.load_server_wide_modules = load_server_wide_modules_without_runner_delay
    server.PreforkServer.long_polling_spawn = lambda self: None
    worker_start = server.Worker.start

    def worker_start_dying_with_master(worker):
        _die_with_parent()
        return worker_start(worker)

    server.Worker.start = worker_start_dying_with_master
    sys.argv = [sys.argv[0], *args]
    main()


if __name__ == "__main__":
    _launch_server(sys.argv[1:])
