#!/usr/bin/env python3
# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark outgoing webhooks: the user's write, and delivery throughput.

Run through ``scripts/benchmark --outgoing`` (or directly, with
``--addons-path`` and ``--database``, a database with webhook_automation).

1. The write: a committed ``write()`` of 1 and of 100 contacts that an
   automation rule sends to a receiver sleeping 1 s, with our action (an
   endpoint: stored, queued, sent after commit), with core's action (its
   Webhook URL, no endpoint: one blocking POST per record) and with no
   action; median of the repeats, and the ratio to no action. Target: ours
   within 1.1x + 50 ms of no action; core: about 1 s more per record.
2. Throughput: a real Odoo server whose job runner has 2 places on the
   outgoing channel delivers N messages to a fast local receiver; messages/s
   from the commit of the write to the last delivery.

Everything created is deleted at the end.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(SCRIPTS)
CHANNELS = "root:2,root.webhook:2,root.webhook.outgoing:2"
JOB_DOMAIN = [
    ("model_name", "=", "webhook.outgoing.message"),
    ("method_name", "=", "_webhook_deliver"),
]


def say(text):
    """Write a line of the report to the standard output."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.delay:
            time.sleep(self.server.delay)
        with self.server.lock:
            self.server.count += 1
        try:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:  # core's action gave up after 1 s
            self.close_connection = True

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return


def start_receiver(delay):
    """Start a threaded receiver on 127.0.0.1 answering 200 after ``delay`` s."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.delay, server.count, server.lock = delay, 0, threading.Lock()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def receiver_url(server):
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


@contextmanager
def _committed_env(registry, odoo):
    """Yield a superuser environment on a new cursor, committed at the end."""
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


class Bench:
    """Committed setups on the database, each step in its own transaction."""

    def __init__(self, db_name):
        import odoo  # noqa: PLC0415 (configured by main() first)
        from odoo.modules.registry import Registry  # noqa: PLC0415

        self.odoo = odoo
        self.registry = Registry(db_name)
        self.tag = f"bench-out-{uuid.uuid4().hex[:8]}"
        self.cleanups = []

    def env(self):
        """Return a context manager: a superuser environment, committed at exit."""
        return _committed_env(self.registry, self.odoo)

    def setup(self, url, partners):
        """Commit partners, an endpoint and three rules (ours, core's, none active)."""
        with self.env() as env:
            self.partner_ids = (
                env["res.partner"]
                .create([{"name": f"{self.tag} {n:03d}"} for n in range(partners)])
                .ids
            )
        with self.env() as env:
            endpoint = env["webhook.endpoint"].create(
                {
                    "name": self.tag,
                    "url": url,
                    "allowed_private_networks": "127.0.0.0/8",
                }
            )
            model = env["ir.model"]._get("res.partner")
            name_field = env["ir.model.fields"]._get("res.partner", "name")
            rules = {}
            for kind in ("ours", "core"):
                rule = env["base.automation"].create(
                    {
                        "name": f"{self.tag} {kind}",
                        "model_id": model.id,
                        "trigger": "on_write",
                        "active": False,
                    }
                )
                env["ir.actions.server"].create(
                    {
                        "name": f"{self.tag} {kind}",
                        "model_id": model.id,
                        "usage": "base_automation",
                        "base_automation_id": rule.id,
                        "state": "webhook",
                        "webhook_url": url,
                        "webhook_endpoint_id": endpoint.id if kind == "ours" else False,
                        "webhook_field_ids": [(6, 0, name_field.ids)],
                    }
                )
                rules[kind] = rule.id
            self.endpoint_id, self.rules = endpoint.id, rules
        self.cleanups.append(self._cleanup)

    def set_endpoint_url(self, url):
        with self.env() as env:
            env["webhook.endpoint"].browse(self.endpoint_id).url = url

    def activate(self, kind):
        """Make rule ``kind`` (ours, core or none) the only active one."""
        with self.env() as env:
            for name, rule_id in self.rules.items():
                env["base.automation"].browse(rule_id).active = name == kind

    def timed_write(self, count, label):
        """Return the seconds of a committed write of ``count`` partners."""
        with self.env() as env:
            partners = env["res.partner"].browse(self.partner_ids[:count])
            partners.mapped("name")  # warm the cache as a form would
            started = time.perf_counter()
            partners.write({"name": f"{self.tag} {label}"})
        # the commit (and its precommit hooks) is part of the user's save
        return time.perf_counter() - started

    def delivered(self):
        with self.env() as env:
            return env["webhook.outgoing.message"].search_count(
                [("endpoint_id", "=", self.endpoint_id), ("state", "=", "delivered")]
            )

    def clear_messages(self):
        with self.env() as env:
            env["webhook.outgoing.message"].search(
                [("endpoint_id", "=", self.endpoint_id)]
            ).unlink()
            env["queue.job"].search(JOB_DOMAIN).unlink()

    def _cleanup(self):
        self.clear_messages()
        with self.env() as env:
            env["base.automation"].browse(list(self.rules.values())).unlink()
            env["webhook.endpoint"].browse(self.endpoint_id).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()

    def cleanup(self):
        while self.cleanups:
            self.cleanups.pop()()


def measure_writes(bench, repeats, kinds=("none", "ours", "core")):
    """Print and return the write times of 1 and 100 records by kind."""
    results = {}
    say("\nWrite of N contacts, receiver sleeping 1 s (median seconds, ratio)")
    for count in (1, 100):
        for kind in kinds:
            bench.activate(kind)
            runs = 1 if kind == "core" and count > 1 else repeats
            bench.timed_write(count, f"warm {kind}")  # caches, registry
            times = [bench.timed_write(count, f"{kind} {n}") for n in range(runs)]
            results[count, kind] = statistics.median(times)
            bench.clear_messages()
        base = results[count, "none"]
        for kind in kinds:
            value = results[count, kind]
            target = ""
            if kind == "ours":
                ok = value <= 1.1 * base + 0.05
                target = (
                    f"  target <= {1.1 * base + 0.05:.3f} s: {'OK' if ok else 'MISSED'}"
                )
            say(
                f"  {count:>3} records  {kind:<5} {value:8.3f} s"
                f"  x{value / base:7.2f}{target}"
            )
    bench.activate("none")
    return results


def measure_throughput(bench, harness, db_name, messages):
    """Print and return messages/s delivered by a job runner with 2 places."""
    receiver = start_receiver(0.0)
    bench.set_endpoint_url(receiver_url(receiver))
    bench.activate("ours")
    server = harness.OdooServer(db_name, workers=0, job_runner=True, channels=CHANNELS)
    try:
        server.start()
        bench.timed_write(messages, "throughput")
        started = time.perf_counter()
        deadline = started + 600
        while bench.delivered() < messages:
            if time.perf_counter() > deadline or not server.alive:
                raise SystemExit(f"delivery stalled: {bench.delivered()}/{messages}")
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
        server.close()
        bench.activate("none")
        receiver.shutdown()
    rate = messages / elapsed
    say(
        f"\nThroughput: {messages} messages delivered in {elapsed:.1f} s by a job "
        f"runner with 2 places ({CHANNELS}): {rate:.1f} messages/s "
        f"(received {receiver.count})"
    )
    return rate


def load_harness():
    """Import tests/server_harness.py (the tests' real Odoo servers) as a module."""
    path = os.path.join(REPO, "tests", "server_harness.py")
    spec = importlib.util.spec_from_file_location("bench_server_harness", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--database", default=os.environ.get("WEBHOOK_TEST_DB"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument(
        "--skip-core",
        action="store_true",
        help="leave out core's action (its 100-record write takes minutes)",
    )
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("--database (or WEBHOOK_TEST_DB): one with webhook_automation")
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        [f"--addons-path={args.addons_path}", f"--database={args.database}"]
    )
    odoo.service.server.load_server_wide_modules()
    harness = load_harness()
    receiver = start_receiver(1.0)
    bench = Bench(args.database)
    try:
        bench.setup(receiver_url(receiver), max(100, args.messages))
        kinds = ("none", "ours") if args.skip_core else ("none", "ours", "core")
        measure_writes(bench, args.repeats, kinds)
        measure_throughput(bench, harness, args.database, args.messages)
    finally:
        bench.cleanup()
        receiver.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
