#!/usr/bin/env python3
# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Compare webhook_automation with Odoo core's webhook on the same machine.

Run through ``scripts/benchmark``. Two databases get the same webhook (a code
action updating one contact): one with core's base_automation only, one with
webhook_automation. Each is served in turn by the same Odoo, started the same
way, and receives the same calls over HTTP on 127.0.0.1. Prints throughput and
latencies, and the ratio webhook_automation / core. No assertion: numbers.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

SETUP_SNIPPET = """
partner = env["res.partner"].create({"name": "Benchmark counter", "color": 0})
rule = env["base.automation"].create({
    "name": "Benchmark webhook",
    "model_id": env["ir.model"]._get("res.partner").id,
    "trigger": "on_webhook",
    "record_getter": "model.browse(int(payload.get('id')))",
})
env["ir.actions.server"].create({
    "name": "Write the payload",
    "model_id": rule.model_id.id,
    "usage": "base_automation",
    "base_automation_id": rule.id,
    "state": "code",
    "code": "record.write({'ref': str(payload.get('n'))})",
})
env.cr.commit()
print("BENCH", rule.webhook_uuid, partner.id)
"""


def odoo(*args, **kwargs):
    """Run Odoo's command line with this Python."""
    return subprocess.run(
        [sys.executable, "-m", "odoo", *args], check=True, text=True, **kwargs
    )


def database_exists(name):
    listing = subprocess.run(
        ["psql", "-lqtA"], check=True, capture_output=True, text=True
    ).stdout
    return any(line.split("|")[0] == name for line in listing.splitlines())


def prepare(db, modules, addons_path, reset):
    """Create ``db`` with ``modules`` and the benchmark webhook; return its setup."""
    if reset and database_exists(db):
        subprocess.run(["dropdb", db], check=True)
    if not database_exists(db):
        print(f"creating {db} ({modules})...", flush=True)
        odoo(
            "-d", db, f"--addons-path={addons_path}", "-i", modules,
            "--without-demo=all", "--stop-after-init", "--log-level=warn",
        )  # fmt: skip
    out = odoo(
        "shell", "-d", db, f"--addons-path={addons_path}", "--log-level=warn",
        input=SETUP_SNIPPET, capture_output=True,
    ).stdout  # fmt: skip
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    _, secret, partner_id = line.split()
    return secret, int(partner_id)


def wait_for_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"Odoo did not listen on port {port}")


def load(url, partner_id, calls, concurrency):
    """Send ``calls`` POSTs with ``concurrency`` clients; return latencies (s)."""
    sessions = [requests.Session() for _ in range(concurrency)]

    def one(i):
        session = sessions[i % concurrency]
        started = time.perf_counter()
        response = session.post(url, json={"id": partner_id, "n": i}, timeout=60)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"call {i}: {response.status_code} {response.text}")
        return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(one, range(calls)))
    return latencies, time.perf_counter() - started


def measure(db, secret, partner_id, addons_path, port, calls, concurrency):
    """Serve ``db`` alone, warm it up, then measure it."""
    server = subprocess.Popen(
        [
            sys.executable, "-m", "odoo", "-d", db, f"--addons-path={addons_path}",
            f"--db-filter=^{db}$", "--http-interface=127.0.0.1",
            f"--http-port={port}", "--log-level=warn", "--max-cron-threads=0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}/web/hook/{secret}"
        load(url, partner_id, 20, 1)  # warm-up: registry, caches
        results = {}
        for clients in sorted({1, concurrency}):
            latencies, wall = load(url, partner_id, calls, clients)
            results[clients] = {
                "rps": calls / wall,
                "p50": statistics.median(latencies) * 1000,
                "p95": statistics.quantiles(latencies, n=20)[18] * 1000,
            }
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=8079)
    parser.add_argument("--reset", action="store_true", help="recreate the databases")
    args = parser.parse_args()

    setups = {
        "core": ("webhook_bench_core", "contacts,base_automation"),
        "webhook_automation": ("webhook_bench_addon", "contacts,webhook_automation"),
    }
    results = {}
    for label, (db, modules) in setups.items():
        secret, partner_id = prepare(db, modules, args.addons_path, args.reset)
        print(f"measuring {label} ({args.calls} calls)...", flush=True)
        results[label] = measure(
            db, secret, partner_id, args.addons_path, args.port,
            args.calls, args.concurrency,
        )  # fmt: skip

    print()
    print(f"{'clients':>7} {'server':<20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for clients in results["core"]:
        for label in setups:
            row = results[label][clients]
            print(
                f"{clients:>7} {label:<20} {row['rps']:>8.1f} "
                f"{row['p50']:>8.2f} {row['p95']:>8.2f}"
            )
        core, ours = results["core"][clients], results["webhook_automation"][clients]
        print(
            f"{clients:>7} {'ratio (ours/core)':<20} {ours['rps'] / core['rps']:>8.2f} "
            f"{ours['p50'] / core['p50']:>8.2f} {ours['p95'] / core['p95']:>8.2f}"
        )
    print(f"\nmachine: {os.cpu_count()} CPUs; one Odoo server at a time, no workers")


if __name__ == "__main__":
    main()
