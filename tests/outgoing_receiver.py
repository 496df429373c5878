# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A real HTTP receiver of outgoing webhooks on 127.0.0.1, for the tests.

:class:`Receiver` runs a threaded HTTP server in the test process; it keeps
every request it gets (path, headers, body) and answers from a script:
``receiver.answers`` holds ``(status, headers, body)`` tuples used in turn
(the last one repeats), and ``receiver.delay`` makes it sleep before
answering. Use it as a context manager, or call :meth:`start` and
:meth:`stop`.
"""

import threading
import time
from collections import namedtuple
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.addons.queue_job.job import Job

from .common import WebhookCase

Request = namedtuple("Request", "path headers body")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's name)
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status, headers, answer = receiver._record(
            Request(self.path, dict(self.headers.items()), body)
        )
        if receiver.delay:
            time.sleep(receiver.delay)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return


class Receiver:
    """A threaded HTTP server on 127.0.0.1 recording what it receives."""

    def __init__(self, answers=None, delay=0.0):
        self.answers = list(answers or [(200, {}, b"ok")])
        self.delay = delay
        self.requests = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    def _record(self, request):
        with self._lock:
            self.requests.append(request)
            index = min(len(self.requests), len(self.answers)) - 1
            status, headers, body = self.answers[index]
        if isinstance(body, str):
            body = body.encode()
        return status, headers, body

    @property
    def port(self):
        return self._server.server_address[1]

    def url(self, path="/hook"):
        """Return the URL of ``path`` on this receiver."""
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.receiver = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="webhook-receiver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def webhook_ids(self):
        """Return the webhook-id header of each request received, in order."""
        with self._lock:
            return [
                {k.lower(): v for k, v in request.headers.items()}.get("webhook-id")
                for request in self.requests
            ]


class OutgoingCase(WebhookCase):
    """Outgoing webhooks to a :class:`Receiver`, jobs run by hand."""

    def setUp(self):
        super().setUp()
        self.receiver = Receiver().start()
        self.addCleanup(self.receiver.stop)
        self.endpoint = self.env["webhook.endpoint"].create(
            {
                "name": "Test receiver",
                "url": self.receiver.url(),
                "allowed_private_networks": "127.0.0.0/8",
            }
        )

    def _outgoing_rule(self, trigger="on_write", model="res.partner", **action):
        """Create a rule on ``model`` with a webhook action to the endpoint."""
        model_record = self.env["ir.model"]._get(model)
        rule = self.env["base.automation"].create(
            {
                "name": f"Outgoing {trigger}",
                "model_id": model_record.id,
                "trigger": trigger,
            }
        )
        self.env["ir.actions.server"].create(
            {
                "name": "Send to the endpoint",
                "model_id": model_record.id,
                "usage": "base_automation",
                "base_automation_id": rule.id,
                "state": "webhook",
                "webhook_endpoint_id": action.pop("endpoint", self.endpoint).id,
                **action,
            }
        )
        return rule

    def _commit_point(self):
        """Run what runs before a commit: the precommit hooks (and a flush)."""
        self.env.cr.flush()
        self.env.invalidate_all()

    def _messages(self, endpoint=None):
        return self.env["webhook.outgoing.message"].search(
            [("endpoint_id", "=", (endpoint or self.endpoint).id)], order="id"
        )

    def _outgoing_jobs(self):
        return self.env["queue.job"].search(
            [
                ("model_name", "=", "webhook.outgoing.message"),
                ("method_name", "=", "_webhook_deliver"),
                ("state", "=", "pending"),
            ],
            order="id",
        )

    def _run_outgoing_jobs(self, rounds=1):
        """Run the waiting jobs of outgoing messages ``rounds`` times, eta ignored.

        Returns the number of jobs run. A job's own next attempt is a new job,
        and so is the next job of a chain: the next round runs them.
        """
        done = 0
        for _round in range(rounds):
            self.env.flush_all()
            records = self._outgoing_jobs()
            if not records:
                break
            for record in records:
                job = Job.load(self.env, record.uuid)
                job.set_started()
                job.store()
                job.perform()
                job.set_done()
                job.store()
                self.env.flush_all()
                job.enqueue_waiting()  # the next job of a chain
                done += 1
            self.env.flush_all()
            self.env.invalidate_all()
        return done
