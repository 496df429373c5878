# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A real load balancer (HAProxy, Debian's ``haproxy``) in front of test servers.

:class:`LoadBalancer` writes an HAProxy configuration in a temporary
directory, listening on a free port of 127.0.0.1, and runs ``haproxy -f
<config> -db`` as a child process in its own process group; use it as a
context manager. It balances calls round robin over named backends (ports of
127.0.0.1, usually :class:`~.server_harness.OdooServer` started with
``keep_port=True``, so that a restarted server is found again), checks their
health on ``/web/health`` every half second, and tells which server answered
each call in the ``X-Served-By`` header of the answer.

Retries and "executed exactly once"
-----------------------------------

HAProxy sends a request again only on ``conn-failure``: when the connection
to a server could not be opened, hence no byte of the request reached it
(a crashed server's port refuses connections). With ``option redispatch 1``
that new attempt goes to another server. That is always safe, even for a
POST that must run once.

A request that may have reached a server is never sent again by the
balancer: a server that dies after the request was sent gets the caller a
502 (or the connection closed), and the *sender* decides. Its call may have
been stored by the server before it died (then it runs) or not, so the
sender sends it again with its delivery id, and the webhook's idempotency
keeps the retry from running twice. HAProxy's other ``retry-on`` conditions
(``empty-response``, ``response-timeout``, ``junk-response``, 5xx statuses,
``all-retryable-errors``) would resend such a request to a second server:
the balancer, which knows no delivery id, could run a call twice. They are
left out on purpose.

Other choices: ``maxconn`` per server (its number of HTTP workers) queues the
extra calls in HAProxy instead of the server's accept queue, so that a crash
loses only the calls its workers were serving, and the queued ones go to the
other server; ``option http-server-close`` opens a new server connection for
each request, so that none is reused after a crash; ``observe layer4`` takes
a server out at its first refused connection, without waiting for the health
checks; ``option forwardfor`` and ``X-Forwarded-Host`` give Odoo, run with
``--proxy-mode``, the caller's address (Odoo applies ``X-Forwarded-For`` only
when ``X-Forwarded-Host`` is there); ``source 127.0.0.2`` connects to the
servers from another address than the callers' (127.0.0.1), so that a test
can tell the forwarded address from the balancer's.
"""

import csv
import io
import os
import shutil
import socket
import time

import requests

from .server_harness import HOST, ChildProcess

HAPROXY = "haproxy"
START_TIMEOUT = 30  # seconds until the balancer answers
CHECK_INTERVAL_MS = 500  # health checks of the servers
# the address HAProxy connects to the servers from (any 127/8 address is local)
SOURCE_ADDRESS = "127.0.0.2"
BACKEND = "odoo"
FAILURE_LOG_LINES = 80

CONFIG_TEMPLATE = """\
global
    maxconn 1024
    nbthread 1
    stats socket {socket} mode 600 level admin
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout queue 30s
    timeout check 3s
    # send a request again only when it could not reach a server (see the
    # module's docstring: anything else could run a POST twice)
    retries 3
    retry-on conn-failure
    option redispatch 1
    option http-server-close

frontend webhooks
    bind {host}:{port}
    option forwardfor
    http-request set-header X-Forwarded-Host %[req.hdr(host)]
    http-request set-header X-Forwarded-Proto http
    default_backend {backend}

backend {backend}
    balance roundrobin
    option httpchk
    # Odoo needs a Host header (HTTP/1.1)
    http-check send meth GET uri /web/health ver HTTP/1.1 hdr Host {host}
    http-check expect status 200
    http-response set-header X-Served-By %s
    source {source}
    default-server check inter {inter}ms fastinter {fastinter}ms \
downinter {inter}ms fall 2 rise 2 observe layer4 error-limit 1 on-error mark-down
{servers}
"""


def haproxy_available():
    """Tell whether the ``haproxy`` command is installed."""
    return shutil.which(HAPROXY) is not None


class LoadBalancer(ChildProcess):
    """HAProxy on a free port of 127.0.0.1, round robin over ``backends``.

    Killed when the test process exits, as the servers (``_RUNNING``).

    ``backends`` maps a server's name (its ``X-Served-By``) to its port on
    127.0.0.1; ``maxconn`` is the number of calls each server gets at once
    (None: no limit).
    """

    stop_timeout = 10  # HAProxy stops at once
    start_timeout = START_TIMEOUT
    port_taken_message = "cannot bind socket"
    failure_log_lines = FAILURE_LOG_LINES

    def __init__(self, backends, *, maxconn=None, log_dir=None, name="haproxy"):
        self.backends = dict(backends)
        self.maxconn = maxconn
        self.name = name
        super().__init__(log_dir, prefix="webhook-balancer-")
        self.config_path = os.path.join(self.log_dir, f"{name}.cfg")
        self.log_path = os.path.join(self.log_dir, f"{name}.log")
        self.socket_path = os.path.join(self.log_dir, f"{name}.sock")

    def __repr__(self):
        state = "running" if self.alive else "stopped"
        return f"<LoadBalancer port={self.port} {state} {self.backends}>"

    @property
    def base_url(self):
        """Return the balancer's root URL."""
        return f"http://{HOST}:{self.port}"

    def url(self, path):
        """Return the URL of ``path`` through the balancer."""
        return self.base_url + path

    # ------------------------------------------------------------------
    # Configuration
    # ------------------------------------------------------------------

    def _prepare_server_lines(self):
        """Return the ``server`` lines of the backend, one per Odoo server."""
        limit = f" maxconn {self.maxconn}" if self.maxconn else ""
        return "\n".join(
            f"    server {name} {HOST}:{port}{limit}"
            for name, port in self.backends.items()
        )

    def _prepare_config(self):
        """Return the text of HAProxy's configuration."""
        return CONFIG_TEMPLATE.format(
            socket=self.socket_path,
            host=HOST,
            port=self.port,
            backend=BACKEND,
            source=SOURCE_ADDRESS,
            inter=CHECK_INTERVAL_MS,
            fastinter=CHECK_INTERVAL_MS // 2,
            servers=self._prepare_server_lines(),
        )

    def _command(self):
        """Return HAProxy's command line; it dies with the test process if it can."""
        command = [HAPROXY, "-f", self.config_path, "-db"]
        if shutil.which("setpriv"):
            # util-linux: SIGKILL when the test process dies, even killed
            command = ["setpriv", "--pdeathsig", "KILL", "--", *command]
        return command

    # ------------------------------------------------------------------
    # Start and stop
    # ------------------------------------------------------------------

    def _prepare_start(self):
        """Check that HAProxy is installed."""
        if not haproxy_available():
            raise RuntimeError("haproxy is not installed: apt-get install haproxy")

    def _choose_port(self):
        """A free port, written into the configuration."""
        port = super()._choose_port()
        with open(self.config_path, "w") as config_file:
            config_file.write(self._prepare_config())
        return port

    def _is_ready(self):
        """Tell whether HAProxy answers ``/web/health`` through a server."""
        response = requests.get(self.url("/web/health"), timeout=5)
        return response.status_code == 200 and bool(self.server_states())

    # ------------------------------------------------------------------
    # State of the servers (HAProxy's runtime API)
    # ------------------------------------------------------------------

    def _runtime_command(self, command):
        """Send ``command`` to HAProxy's stats socket; return its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(self.socket_path)
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server_states(self):
        """Return {server name: HAProxy's status}, e.g. ``UP``, ``DOWN``, ``UP 1/2``."""
        answer = self._runtime_command("show stat").lstrip("# ")
        return {
            row["svname"]: row["status"]
            for row in csv.DictReader(io.StringIO(answer))
            if row.get("pxname") == BACKEND and row.get("svname") in self.backends
        }

    def wait_for_state(self, name, state="UP", timeout=60):
        """Wait until HAProxy sees server ``name`` in ``state``, or raise."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.server_states()
            if states.get(name) == state:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"HAProxy did not see {name} {state} within {timeout}s: {states}"
                )
            time.sleep(0.1)
