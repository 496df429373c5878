#!/usr/bin/env python3
# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark webhook_automation against Odoo core's webhook, on this machine.

Run through ``scripts/benchmark`` (see ``--help``). Two databases of the same
Odoo get the same webhook rules, Log Calls on: ``bench_core`` has core's
base_automation only, ``bench_addon`` has webhook_automation. Both are served
the same way (threaded, then ``--workers=2``), each by its own Odoo on
127.0.0.1, and loaded in turn (core, ours, core, ours...) by ``wrk`` with one
thread and 1 or 8 connections, for a fixed duration. The servers' access logs
give the SQL queries of each call. With ``--scale``, the same is measured with
1 rule and empty logs, then with 10,000 more rules and 1,000,000 logs, with the
times of the webhook form, its first page of logs and the Webhooks list,
and the busy webhook case (``scripts/bench_busy.py``: one webhook with 180,000
logs among 10,000 webhooks with 82 each; ``--scale-busy-only`` runs it alone).
With ``--flood`` (6 to 8 minutes, so not part of a plain run), ours alone on
``--workers=2``: 10,000 calls by 16 clients at a webhook limited to 50 calls/s
(or as many as ``--flood-seconds`` allow), then as many at an unknown URL,
while another webhook and ``/web/health`` are measured with 1 client each,
between idle runs; and the req/s and SQL queries of the sync webhooks without
protection against the figures BENCHMARK.md held before.
With ``--mapping`` (2 to 3 minutes), ours alone: the create-contact webhook (1)
against the same call by a Create/Update from Payload action instead of the
documentation's code, on the same server, in turn.
With ``--e2e-only`` (3 to 5 minutes), ours alone (``bench_e2e.py``): calls per
second of the create-contact webhook, sync against async end to end (accept
and job, the job runner on 2 channels), with 2 clients.
Prints the tables and writes them, with the targets, to BENCHMARK.md.
"""

import argparse
import ast
import hashlib
import hmac
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from types import SimpleNamespace

import bench_busy
import bench_e2e
import bench_flood
import bench_report
import bench_scale
import bench_ui
import bench_wrk
import requests

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(SCRIPTS)
WRK_SCRIPT = os.path.join(SCRIPTS, "bench_wrk.lua")
SETUP_SCRIPT = os.path.join(SCRIPTS, "bench_setup.py")
ODOO_LAUNCHER = os.path.join(SCRIPTS, "bench_odoo.py")
SIGNING_SECRET = "benchmark-signing-secret"
PARTNERS = 100
SCALE_RULES = 10_000
# the flood section: a webhook limited to 50 calls/s, burst 0 (= the limit)
FLOOD_RATE = {"limit": 50, "period": "second", "burst": 0}
FLOOD_CALLS = 10_000
FLOOD_CLIENTS = 16
FLOOD_IDLE_SECONDS = 3
# the unlimited sync webhooks whose req/s and SQL are held to the last figures
HOT_PATH_SCENARIOS = ("create", "update", "same", "signed")
SIDES = {
    "core": {
        "db": "bench_core",
        "modules": "contacts,base_automation",
        "load": "base,web",
        "env": {},
    },
    "ours": {
        "db": "bench_addon",
        "modules": "contacts,base_automation,webhook_automation",
        "load": "base,web,queue_job",
        # no job runner in the server: a runner of its own (JobRunner), which
        # the burst scenario stops while it loads the server
        "env": {"ODOO_QUEUE_JOB_CHANNELS": "root:0"},
        "runner_env": {"ODOO_QUEUE_JOB_CHANNELS": "root:1"},
    },
}
# key: (title, core's rule, our rule, body); None: GET /web/health
SCENARIOS = {
    "health": ("/web/health (framework floor)", None, None, None),
    "create": ("(1) create a contact", "create", "create", "create"),
    "update": ("(2) update 1 field, 100 records", "update", "update", "update"),
    "same": ("(3) same record, +1", "same", "same", "same"),
    "signed": ("(4) GitHub signature (core: none)", "update", "signed", "update"),
    "async": (
        "(5) async accept, burst (core: sync create)",
        "create",
        "async",
        "create",
    ),
    "async_live": (
        "(6) async accept, jobs running (core: sync create)",
        "create",
        "async",
        "create",
    ),
}
# the mapping section: rule (1), then the same contact by mapping, ours alone
MAPPING_SCENARIOS = {
    "create": SCENARIOS["create"],
    "mapping": ("(1) create a contact, by mapping", "create", "mapping", "create"),
}
# async scenarios, and those during which the job runner is stopped
ASYNC_SCENARIOS = ("async", "async_live")
BURST_SCENARIOS = ("async",)
MODES = {"threaded": 0, "workers": 2}
ACCESS_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ '
    r"(?P<queries>\d+) (?P<query_time>[\d.]+) (?P<other_time>[\d.]+)"
)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------


def odoo(addons_path, *args, **kwargs):
    """Run Odoo's command line with this Python, quietly."""
    command = [sys.executable, "-m", "odoo", *args, f"--addons-path={addons_path}"]
    return subprocess.run(
        command + ["--log-level=warn"], check=True, text=True, **kwargs
    )


def database_exists(name):
    with bench_scale.cursor("postgres") as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return bool(cr.fetchone())


def seed_create_code():
    """Return the create-contact code of the seed documentation (use case 2)."""
    path = os.path.join(REPO, "models", "base_automation_demo.py")
    with open(path, encoding="utf-8") as file:
        tree = ast.parse(file.read())
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id.startswith("DEMO_"):
                values[node.targets[0].id] = ast.literal_eval(node.value)
    return values["DEMO_CREATE_CONTACT_CODE"], values["DEMO_TARGET_RECORD"]


def shell_step(addons_path, db, step, **params):
    """Run one step of bench_setup.py in ``odoo shell`` on ``db``; return its JSON."""
    create_code, target_record = seed_create_code()
    params.update(
        step=step,
        create_code=create_code,
        target_record=target_record,
        signing_secret=SIGNING_SECRET,
        partners=PARTNERS,
        scale_rules=SCALE_RULES,
        flood_rate=FLOOD_RATE,
    )
    with open(SETUP_SCRIPT, encoding="utf-8") as file:
        snippet = file.read()
    out = odoo(
        addons_path,
        "shell",
        "-d",
        db,
        "--no-http",
        input=snippet,
        capture_output=True,
        env=dict(os.environ, BENCH_SETUP=json.dumps(params)),
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_SETUP_RESULT "))
    return json.loads(line.split(" ", 1)[1])


def prepare_database(side, addons_path, reset):
    """Create or update the database of ``side``; return its benchmark setup."""
    spec = SIDES[side]
    db = spec["db"]
    if reset and database_exists(db):
        log(f"dropping {db}")
        subprocess.run(["dropdb", db], check=True)
    if not database_exists(db):
        log(f"creating {db} with {spec['modules']}")
        odoo(
            addons_path,
            "-d",
            db,
            "-i",
            spec["modules"],
            "--without-demo=all",
            "--stop-after-init",
        )
    elif side == "ours":
        log(f"updating webhook_automation in {db}")
        odoo(addons_path, "-d", db, "-u", "webhook_automation", "--stop-after-init")
    bench_scale.clear_logs(db)
    log(f"creating the benchmark rules in {db}")
    return shell_step(addons_path, db, "rules")


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------


def port_is_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Server:
    """One Odoo serving one database of one side, in its own process group."""

    def __init__(self, label, side, db, mode, port, addons_path, workdir):
        self.label = label
        self.side = side
        self.db = db
        self.mode = mode
        self.port = port
        self.addons_path = addons_path
        self.logfile = os.path.join(workdir, f"{label}-{mode}.log")
        self.process = None
        self.runner = (
            JobRunner(self, os.path.join(workdir, f"{label}-{mode}-runner.log"))
            if "runner_env" in SIDES[side]
            else None
        )

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        spec = SIDES[self.side]
        options = {
            # no --db-filter: with one, Odoo lists the databases on every
            # request (one more query, ~1.5 ms, for both sides alike)
            "database": self.db,
            "addons-path": self.addons_path,
            "http-interface": "127.0.0.1",
            "http-port": self.port,
            "gevent-port": self.port + 100,
            "workers": MODES[self.mode],
            "max-cron-threads": 0,
            "load": spec["load"],
            "log-level": "info",
            "logfile": self.logfile,
        }
        return [sys.executable, ODOO_LAUNCHER] + [
            f"--{name}={value}" for name, value in options.items()
        ]

    def start(self):
        if not port_is_free(self.port):
            raise SystemExit(f"port {self.port} is taken: pass --port")
        if os.path.exists(self.logfile):
            os.unlink(self.logfile)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_QUEUE")}
        env.update(SIDES[self.side]["env"])
        self.process = subprocess.Popen(
            self.command(),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if self.runner:
            self.runner.start()

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.label} server died: see {self.logfile}")
            try:
                if requests.get(self.base_url + "/web/health", timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise SystemExit(f"{self.label} server did not answer: see {self.logfile}")

    def stop(self):
        if self.runner:
            self.runner.stop()
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def log_offset(self):
        try:
            return os.path.getsize(self.logfile)
        except OSError:
            return 0

    def access_lines(self, start, stop):
        """Return the parsed access log lines between two offsets."""
        with open(self.logfile, "rb") as file:
            file.seek(start)
            text = file.read(stop - start).decode("utf-8", "replace")
        return [m.groupdict() for m in ACCESS_LINE.finditer(text)]


# ---------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------


class JobRunner:
    """OCA queue_job's job runner of one server, in a process of its own."""

    def __init__(self, server, logfile):
        self.server = server
        self.logfile = logfile
        self.process = None

    def start(self):
        if self.process is not None and self.process.poll() is None:
            return
        server = self.server
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_QUEUE")}
        env.update(SIDES[server.side]["runner_env"])
        command = [
            sys.executable,
            ODOO_LAUNCHER,
            "jobrunner",
            f"--database={server.db}",
            f"--addons-path={server.addons_path}",
            "--http-interface=127.0.0.1",
            f"--http-port={server.port}",
            "--log-level=info",
            f"--logfile={self.logfile}",
        ]
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


def github_signature(body):
    digest = hmac.new(SIGNING_SECRET.encode(), body.encode(), hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def request_lines(kind, setup, signed):
    """Return the (method, body, signature) requests of a scenario, in turn."""
    if kind is None:
        return [("GET", "", "")]
    if kind == "create":
        payload = {"name": "Bench contact", "email": "bench@example.com"}
        payloads = [dict(payload, phone="+1 555 0100")]
    elif kind == "update":
        payloads = [{"model": "res.partner", "id": pid} for pid in setup["partners"]]
    else:  # same record
        payloads = [{"model": "res.partner", "id": setup["counter"]}]
    bodies = [json.dumps(payload) for payload in payloads]
    return [("POST", b, github_signature(b) if signed else "") for b in bodies]


class Target:
    """What one side is sent in one scenario: its URL and its requests file."""

    def __init__(self, label, side, scenario, setup, workdir):
        _title, core_rule, our_rule, kind = {**SCENARIOS, **MAPPING_SCENARIOS}[scenario]
        rule = core_rule if side == "core" else our_rule
        self.path = (
            "/web/health"
            if rule is None
            else f"/web/hook/{setup['rules'][rule]['uuid']}"
        )
        self.file = os.path.join(workdir, f"requests-{label}-{scenario}.tsv")
        lines = request_lines(kind, setup, signed=rule == "signed")
        with open(self.file, "w", encoding="utf-8") as file:
            file.writelines("\t".join(line) + "\n" for line in lines)


def run_wrk(url, target, clients, duration):
    """Load ``url`` with wrk; return its BENCH_RESULT numbers."""
    command = [
        "wrk",
        "-t1",
        f"-c{clients}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        WRK_SCRIPT,
        url,
    ]
    env = dict(os.environ, BENCH_REQUESTS=target.file)
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=duration + 120
    )
    numbers = bench_wrk.parse_result(done.stdout)
    if numbers is None:
        raise SystemExit(f"wrk failed: {done.stdout}\n{done.stderr}")
    return numbers


def measure(server, target, clients, duration):
    """Run one load; return its numbers with the server's view of the calls."""
    start = server.log_offset()
    load = os.getloadavg()[0]  # what else runs on the machine
    numbers = run_wrk(server.base_url + target.path, target, clients, duration)
    time.sleep(0.5)  # the last access lines
    lines = server.access_lines(start, server.log_offset())
    # webhook_automation masks the secret of the URL in the access log
    calls = [line for line in lines if same_url(line["path"], target.path)]
    jobs = [line for line in lines if line["path"].startswith("/queue_job/runjob")]
    return {
        "load_before": load,
        **bench_wrk.figures(numbers),
        "statuses": dict(Counter(line["status"] for line in calls)),
        "queries": dict(Counter(int(line["queries"]) for line in calls)),
        "sql_ms": median_ms(line["query_time"] for line in calls),
        "python_ms": median_ms(line["other_time"] for line in calls),
        "jobs": len(jobs),
        "job_queries": dict(Counter(int(line["queries"]) for line in jobs)),
        "job_sql_ms": median_ms(line["query_time"] for line in jobs),
        "job_python_ms": median_ms(line["other_time"] for line in jobs),
    }


def median_ms(seconds):
    """Return the median of access log times (s) in ms, None without any."""
    values = [float(value) * 1000 for value in seconds]
    return statistics.median(values) if values else None


def same_url(logged, sent):
    """Tell whether an access log path is the URL sent (secret masked or not)."""
    if sent.startswith("/web/hook/"):
        return logged.startswith("/web/hook/")
    return logged == sent


def drain_jobs(db, timeout):
    """Wait until the job runner has run the queued jobs; return how it went."""
    started = time.monotonic()
    backlog = first = bench_scale.queue_backlog(db)
    while backlog and time.monotonic() - started < timeout:
        time.sleep(1)
        backlog = bench_scale.queue_backlog(db)
    elapsed = time.monotonic() - started
    return {"jobs": first - backlog, "seconds": elapsed, "left": backlog}


def warm_up(servers, targets, seconds):
    """Load every URL a moment, so that every worker has its registry and caches."""
    for label, server in servers.items():
        for target in targets[label].values():
            run_wrk(server.base_url + target.path, target, 4, seconds)
    drain_jobs(SIDES["ours"]["db"], timeout=300)


def start_servers(mode, args, setups, workdir, scenarios, layout, warm=True):
    """Start one server per ``layout`` entry (label: (side, database))."""
    servers = {
        label: Server(label, side, db, mode, args.port + offset, args.addons_path,
                      workdir)
        for offset, (label, (side, db)) in enumerate(layout.items())
    }  # fmt: skip
    targets = {
        label: {
            scenario: Target(label, server.side, scenario, setups[server.side], workdir)
            for scenario in scenarios
        }
        for label, server in servers.items()
    }
    try:
        for server in servers.values():
            server.start()
        for server in servers.values():
            server.wait_ready()
        if warm:
            log(f"{mode}: servers up, warming up")
            warm_up(servers, targets, args.warmup)
    except BaseException:
        stop_servers(servers)
        raise
    return servers, targets


def stop_servers(servers):
    for server in servers.values():
        server.stop()


def run_rounds(mode, servers, targets, args, clients_list, results):
    """Load each scenario, clients count and side in turn (A B A B)."""
    scenarios = list(next(iter(targets.values())))
    last_async = (args.rounds - 1, ASYNC_SCENARIOS[-1], clients_list[-1])
    for round_index in range(args.rounds):
        for scenario in scenarios:
            for clients in clients_list:
                for label, server in servers.items():
                    burst = scenario in BURST_SCENARIOS and server.runner
                    if burst:  # the jobs wait until the load is over
                        server.runner.stop()
                    row = measure(
                        server, targets[label][scenario], clients, args.duration
                    )
                    if burst:
                        server.runner.start()
                    row.update(
                        mode=mode,
                        scenario=scenario,
                        side=label,
                        clients=clients,
                        round=round_index,
                    )
                    results.append(row)
                    log(
                        f"{mode:8} r{round_index} {scenario:6} c{clients} {label:11} "
                        f"{row['rps']:7.1f} req/s p50 {row['p50_ms']:7.1f} ms "
                        f"p99 {row['p99_ms']:7.1f} ms fail "
                        f"{row['non2xx'] + row['socket_errors']}"
                    )
                if scenario in ASYNC_SCENARIOS:
                    if (round_index, scenario, clients) == last_async:
                        continue  # the servers stop: no need to wait for the jobs
                    drain = drain_jobs(SIDES["ours"]["db"], args.drain_timeout)
                    drain.update(
                        mode=mode, clients=clients, round=round_index, scenario=scenario
                    )
                    results.append({"drain": drain})
                    log(f"drained {drain['jobs']} jobs in {drain['seconds']:.0f} s")


def main_benchmark(args, setups, workdir):
    results = []
    clients_list = [1, 8]
    for mode in args.modes:
        layout = {side: (side, spec["db"]) for side, spec in SIDES.items()}
        servers, targets = start_servers(mode, args, setups, workdir, SCENARIOS, layout)
        try:
            run_rounds(mode, servers, targets, args, clients_list, results)
        finally:
            stop_servers(servers)
        results.append({"jobs": bench_scale.queue_states(SIDES["ours"]["db"])})
        bench_scale.clear_logs(SIDES["ours"]["db"])
        bench_scale.clear_logs(SIDES["core"]["db"])
    return results


# ---------------------------------------------------------------------------
# Scale
# ---------------------------------------------------------------------------


def scaled_copy(addons_path, side, setup):
    """Copy the database of ``side`` and add the scale data to the copy."""
    db = SIDES[side]["db"]
    copy = db + "_scale"
    if database_exists(copy):
        subprocess.run(["dropdb", copy], check=True)
    log(f"{copy}: copy of {db}, plus {SCALE_RULES} webhook rules")
    subprocess.run(["createdb", "-T", db, copy], check=True)
    filestore = os.path.join(odoo_data_dir(), "filestore")
    if os.path.isdir(os.path.join(filestore, db)):
        shutil.copytree(
            os.path.join(filestore, db),
            os.path.join(filestore, copy),
            dirs_exist_ok=True,
        )
    shell_step(addons_path, copy, "scale")
    with bench_scale.cursor(copy) as cr:
        cr.execute(
            "SELECT id FROM base_automation WHERE name->>'en_US' "
            "LIKE 'Bench filler %%' ORDER BY id LIMIT 3"
        )
        fillers = [row[0] for row in cr.fetchall()]
    rules = [setup["rules"]["create"]["id"], setup["rules"]["update"]["id"]]
    log(f"{copy}: inserting {bench_scale.LOG_ROWS} logs over {len(rules) + 3} rules")
    started = time.monotonic()
    bench_scale.fill_logs(copy, rules + fillers)
    log(f"{copy}: inserted in {time.monotonic() - started:.0f} s")
    return copy


def odoo_data_dir():
    import odoo.tools.config

    return odoo.tools.config["data_dir"]


def drop_copy(db):
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    shutil.rmtree(os.path.join(odoo_data_dir(), "filestore", db), ignore_errors=True)


def scale_benchmark(args, setups, workdir):
    """Empty vs scaled copies of both databases, served side by side, A B A B."""
    for side in SIDES:
        bench_scale.clear_logs(SIDES[side]["db"])
    layout, copies = {}, []
    try:
        for side in SIDES:
            copies.append(scaled_copy(args.addons_path, side, setups[side]))
            layout[side] = (side, SIDES[side]["db"])
            layout[side + "_scaled"] = (side, copies[-1])
        log("scale: query plans of calls, figures and purge in the scaled copy")
        plans = shell_step(args.addons_path, layout["ours_scaled"][1], "explain")
        scenarios = {s: SCENARIOS[s] for s in ("create", "update")}
        servers, targets = start_servers(
            "threaded", args, setups, workdir, scenarios, layout, warm=False
        )
        rows = []
        try:
            # the screens first, before the load adds logs of its own
            screens = bench_ui.measure_screens(
                {
                    label: (servers[label].base_url, servers[label].db)
                    for label in ("ours", "ours_scaled")
                },
                setups["ours"]["rules"]["update"]["id"],
            )
            for label, times in screens.items():
                medians = (f"{k} {v['median_ms']:.1f} ms" for k, v in times.items())
                log(f"{label}: screens " + ", ".join(medians))
            log("scale: servers up, warming up")
            warm_up(servers, targets, args.warmup)
            run_rounds("threaded", servers, targets, args, [1], rows)
        finally:
            stop_servers(servers)
    finally:
        for copy in copies:
            drop_copy(copy)
        for side in SIDES:
            bench_scale.clear_logs(SIDES[side]["db"])
    busy = busy_benchmark(args, workdir, setups["ours"]["rules"]["update"]["id"])
    return {"rows": rows, "screens": screens, "plans": plans, "busy": busy}


def busy_benchmark(args, workdir, rule_id=None):
    """The busy webhook case (bench_busy) on copies of ``args.busy_db``."""

    def serve(layout):
        layout = {label: ("ours", db) for label, db in layout.items()}
        servers, _targets = start_servers(
            "threaded", args, {}, workdir, {}, layout, warm=False
        )
        return servers

    busy = bench_busy.run(args, args.busy_db, serve, rule_id)
    return dict(busy, machine=machine_info(args.busy_db), command=args.command)


# ---------------------------------------------------------------------------
# Flood
# ---------------------------------------------------------------------------


def flood_targets(setup, workdir):
    """Return the floods (limited webhook, unknown URL) and the probes."""

    def requests_file(name, kind):
        path = os.path.join(workdir, f"requests-flood-{name}.tsv")
        with open(path, "w", encoding="utf-8") as file:
            lines = request_lines(kind, setup, signed=False)
            file.writelines("\t".join(line) + "\n" for line in lines)
        return path

    update = requests_file("update", "update")
    rules = setup["rules"]
    mark = bench_flood.FLOOD_MARK
    floods = {
        "limited": SimpleNamespace(
            path=f"/web/hook/{rules['limited']['uuid']}?{mark}", file=update
        ),
        "unknown": SimpleNamespace(
            path=f"/web/hook/{uuid.uuid4()}?{mark}", file=update
        ),
    }
    probes = {
        "webhook": SimpleNamespace(
            path=f"/web/hook/{rules['update']['uuid']}", file=update
        ),
        "health": SimpleNamespace(
            path="/web/health", file=requests_file("health", None)
        ),
    }
    return floods, probes


def flood_round(server, floods, probes, round_index, args):
    """Idle, flood of the limited webhook, idle, flood of an unknown URL, idle."""
    capped = bench_flood.capped_script(args.workdir, WRK_SCRIPT)
    row = {"round": round_index, "idle": [], "floods": {}}
    row["idle"].append(bench_flood.idle(server, probes, WRK_SCRIPT, FLOOD_IDLE_SECONDS))
    calls = FLOOD_CALLS
    for name, target in floods.items():
        result = bench_flood.flood(
            server, target, probes, calls, FLOOD_CLIENTS, args.flood_seconds,
            capped, WRK_SCRIPT,
        )  # fmt: skip
        row["floods"][name] = result
        calls = result["answered"]  # the unknown URL: an equal flood
        probe = result["probes"]
        statuses = bench_report.statuses_text(result["statuses"])
        log(
            f"flood r{round_index} {name:7} {result['answered']} calls in "
            f"{result['seconds']:.1f} s: {statuses}; probes p50 webhook "
            f"{probe['webhook']['p50_ms']:.1f} ms, "
            f"health {probe['health']['p50_ms']:.1f} ms"
        )
        row["idle"].append(
            bench_flood.idle(server, probes, WRK_SCRIPT, FLOOD_IDLE_SECONDS)
        )
    for number, run in enumerate(row["idle"]):
        log(
            f"idle  r{round_index} #{number}: p50 webhook "
            f"{run['webhook']['p50_ms']:.1f} ms, "
            f"health {run['health']['p50_ms']:.1f} ms"
        )
    return row


def flood_benchmark(args, setups, workdir, baseline):
    """Floods of a rate-limited webhook and the unlimited hot path, --workers=2."""
    setup = setups["ours"]
    if "limited" not in setup["rules"]:
        raise SystemExit(
            "base.automation has no webhook_rate_limit field: this "
            "webhook_automation has no rate limits, nothing to flood"
        )
    db = SIDES["ours"]["db"]
    # the main part's sync scenarios, on their rules without any protection
    rules = dict(setup["rules"])
    for scenario in HOT_PATH_SCENARIOS:
        rule = SCENARIOS[scenario][2]
        rules[rule] = setup["rules"][f"{rule}_unlimited"]
    unlimited = dict(setup, rules=rules)
    scenarios = {s: SCENARIOS[s] for s in ("health", *HOT_PATH_SCENARIOS)}
    servers, targets = start_servers(
        "workers", args, {"ours": unlimited}, workdir, scenarios,
        {"ours": ("ours", db)},
    )  # fmt: skip
    server = servers["ours"]
    floods, probes = flood_targets(unlimited, workdir)
    # (2) with the protection settings of a new webhook, for comparison
    defaults = Target("defaults", "ours", "update", setup, workdir)
    runs = [(s, c, targets["ours"][s], "ours") for s in HOT_PATH_SCENARIOS
            for c in (1, 8)] + [("update", 1, defaults, "ours_defaults")]  # fmt: skip
    rounds, hot = [], []
    try:
        for target in [*floods.values(), defaults]:
            run_wrk(server.base_url + target.path, target, 4, args.warmup)
        for round_index in range(args.rounds):
            rounds.append(flood_round(server, floods, probes, round_index, args))
            for scenario, clients, target, side in runs:
                row = measure(server, target, clients, args.duration)
                row.update(
                    mode="workers",
                    scenario=scenario,
                    side=side,
                    clients=clients,
                    round=round_index,
                )
                hot.append(row)
                log(
                    f"hot   r{round_index} {scenario:6} c{clients} {side:13} "
                    f"{row['rps']:7.1f} req/s, SQL/call "
                    f"{bench_report.histogram_median(row['queries'])}"
                )
    finally:
        stop_servers(servers)
        bench_scale.clear_logs(db)
    return {
        "rate": FLOOD_RATE,
        "calls": FLOOD_CALLS,
        "clients": FLOOD_CLIENTS,
        "idle_seconds": FLOOD_IDLE_SECONDS,
        "max_seconds": args.flood_seconds,
        "duration": args.duration,
        "rounds": rounds,
        "hot": hot,
        "baseline": baseline,
        "protection": setup.get("protection", {}),
        "machine": machine_info(),
        "command": args.command,
    }


# ---------------------------------------------------------------------------
# Mapping
# ---------------------------------------------------------------------------


def mapping_benchmark(args, setups, workdir):
    """Rule (1) by code and by mapping, on one server of each mode, in turn."""
    setup = setups["ours"]
    if "mapping" not in setup["rules"]:
        raise SystemExit(
            "ir.actions.server has no webhook_mapping_ids field: this "
            "webhook_automation has no Create/Update from Payload action"
        )
    db = SIDES["ours"]["db"]
    rows = []
    for mode in args.modes:
        servers, targets = start_servers(
            mode, args, {"ours": setup}, workdir, MAPPING_SCENARIOS,
            {"ours": ("ours", db)},
        )  # fmt: skip
        server = servers["ours"]
        try:
            for round_index in range(args.rounds):
                for clients in (1, 8):
                    # code first in even rounds, mapping first in odd ones
                    scenarios = list(MAPPING_SCENARIOS)[:: (-1) ** round_index]
                    for scenario in scenarios:
                        target = targets["ours"][scenario]
                        row = measure(server, target, clients, args.duration)
                        row.update(
                            mode=mode,
                            scenario=scenario,
                            side="ours",
                            clients=clients,
                            round=round_index,
                        )
                        rows.append(row)
                        log(
                            f"mapping  {mode:8} r{round_index} {scenario:7} "
                            f"c{clients} {row['rps']:7.1f} req/s p50 "
                            f"{row['p50_ms']:7.1f} ms, SQL/call "
                            f"{bench_report.histogram_median(row['queries'])}, fail "
                            f"{row['non2xx'] + row['socket_errors']}"
                        )
        finally:
            stop_servers(servers)
            bench_scale.clear_logs(db)
    return {
        "rows": rows,
        "duration": args.duration,
        "rounds": args.rounds,
        "machine": machine_info(),
        "command": args.command,
    }


# ---------------------------------------------------------------------------
# Machine and command line
# ---------------------------------------------------------------------------


def machine_info(db=None):
    """Return what the report says of the machine; queue_job's version in ``db``."""
    import odoo.release

    def first(path, key):
        try:
            with open(path, encoding="utf-8") as file:
                for line in file:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    def output(*command):
        try:
            done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
            return (done.stdout + done.stderr).strip()
        except OSError:
            return ""

    mem_kb = first("/proc/meminfo", "MemTotal").split()[0]
    dirty = output("git", "status", "--porcelain", "--untracked-files=no")
    return {
        "nproc": os.cpu_count(),
        "cpu": first("/proc/cpuinfo", "model name"),
        "ram_gib": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else "?",
        "odoo": odoo.release.version,
        "postgresql": bench_scale.server_version(),
        "python": platform.python_version(),
        "wrk": " ".join(output("wrk", "-v").split()[:2]) or "?",
        "queue_job": queue_job_version(db),
        "commit": output("git", "rev-parse", "--short", "HEAD"),
        "dirty": bool(dirty),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def queue_job_version(db=None):
    with bench_scale.cursor(db or SIDES["ours"]["db"]) as cr:
        cr.execute(
            "SELECT latest_version FROM ir_module_module WHERE name = 'queue_job'"
        )
        row = cr.fetchone()
        return row[0] if row else "?"


def parse_args():
    parser = argparse.ArgumentParser(
        prog="scripts/benchmark",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("--addons-path", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--duration", type=int, help="seconds per run (default 5)")
    parser.add_argument("--rounds", type=int, help="rounds of A B (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="1 round, 3 s per run: to check the set-up"
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="also measure with 10,000 rules and 1,000,000 logs",
    )
    parser.add_argument(
        "--scale-only",
        action="store_true",
        help="only the scale part; keep the last run's tables",
    )
    parser.add_argument(
        "--scale-busy-only",
        action="store_true",
        help="only the busy webhook case of --scale (2 to 4 minutes), on copies "
        "of --busy-db; puts its section into the existing output file",
    )
    parser.add_argument(
        "--busy-db",
        help="database whose copies the busy webhook case uses (default: ours, "
        "bench_addon, whose update webhook is made busy; in another database, "
        "its first active webhook)",
    )
    parser.add_argument(
        "--busy-unvacuumed",
        type=int,
        help="newest logs of the busy case left unvacuumed (default: as many as "
        "autovacuum lets wait with the table's settings)",
    )
    parser.add_argument(
        "--flood",
        action="store_true",
        help="also run the flood section (ours, --workers=2, 6 to 8 minutes: "
        "not part of a plain run)",
    )
    parser.add_argument(
        "--flood-only",
        action="store_true",
        help="only the flood section; keep the last run's tables (or, without "
        "them, put the section into the existing output file)",
    )
    parser.add_argument(
        "--flood-seconds",
        type=int,
        default=40,
        help="stop a flood after this many seconds even if its calls are not all "
        "sent (default 40: the section then lasts 6 to 8 minutes; 10,000 calls "
        "at the limited webhook take 1 to 4 minutes on 2 cores)",
    )
    parser.add_argument(
        "--mapping",
        action="store_true",
        help="also compare rule (1) by code and by mapping (ours, 2 to 3 minutes)",
    )
    parser.add_argument(
        "--mapping-only",
        action="store_true",
        help="only the mapping comparison; keep the last run's tables (or, "
        "without them, put the section into the existing output file)",
    )
    parser.add_argument(
        "--e2e-only",
        action="store_true",
        help="only the async end-to-end comparison (ours, 3 to 5 minutes); puts "
        "its section into the existing output file",
    )
    parser.add_argument(
        "--e2e-calls",
        type=int,
        help="calls per run of --e2e-only (default 300, 100 with --quick)",
    )
    parser.add_argument(
        "--e2e-batch",
        type=int,
        default=1,
        help="Calls per Job of the async webhook of --e2e-only (default 1)",
    )
    parser.add_argument(
        "--e2e-db",
        default=SIDES["ours"]["db"],
        help="database of --e2e-only (default bench_addon; made if missing)",
    )
    parser.add_argument("--reset", action="store_true", help="rebuild the databases")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: write the report of the last run's raw results",
    )
    parser.add_argument(
        "--modes",
        default="threaded,workers",
        help="server modes, among threaded,workers",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8271,
        help="first of the ports the servers listen on (2, 4 with --scale)",
    )
    parser.add_argument("--output", default=os.path.join(REPO, "BENCHMARK.md"))
    parser.add_argument(
        "--workdir",
        default=os.path.join(tempfile.gettempdir(), "webhook_bench"),
        help="server logs, requests files, raw results",
    )
    args = parser.parse_args()
    args.duration = args.duration or (3 if args.quick else 5)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.warmup = 1 if args.quick else 2
    args.drain_timeout = 120 if args.quick else 300
    args.e2e_calls = args.e2e_calls or (100 if args.quick else 300)
    args.modes = [m for m in args.modes.split(",") if m]
    args.busy_db = args.busy_db or SIDES["ours"]["db"]
    unknown = set(args.modes) - set(MODES)
    if unknown:
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    argv = [a for a in sys.argv[1:] if not a.startswith("--addons-path")]
    args.command = shlex.join(["scripts/benchmark", *argv])
    return args


def main():
    args = parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    raw_path = os.path.join(args.workdir, "results.json")
    if args.report_only:
        with open(raw_path, encoding="utf-8") as file:
            write_report(json.load(file), args.output, raw_path)
        return
    if args.scale_busy_only:
        busy_only(args, raw_path)
        return
    if args.e2e_only:
        e2e_only(args)
        return
    started = time.monotonic()
    sections_only = args.flood_only or args.mapping_only
    ours_alone = sections_only and not args.scale_only
    # the figures of the file before this run: the flood section's reference
    baseline = bench_flood.baseline_from_markdown(args.output, REPO)
    setups = {
        side: prepare_database(side, args.addons_path, args.reset)
        for side in (("ours",) if ours_alone else SIDES)
    }
    data = {
        "machine": machine_info(),
        "command": args.command,
        "args": {"duration": args.duration, "rounds": args.rounds, "modes": args.modes},
    }
    if args.scale_only or sections_only:
        previous = None
        if os.path.exists(raw_path) or args.scale_only:
            with open(raw_path, encoding="utf-8") as file:
                previous = json.load(file)
        if previous is None:
            # no raw results of a whole run here: only the sections asked for
            if args.flood_only:
                flood = flood_benchmark(args, setups, args.workdir, baseline)
                flood_path = os.path.join(args.workdir, "flood.json")
                with open(flood_path, "w", encoding="utf-8") as file:
                    json.dump(flood, file, indent=1)
                splice_report(flood, args.output, flood_path)
            if args.mapping_only:
                mapping = mapping_benchmark(args, setups, args.workdir)
                mapping_path = os.path.join(args.workdir, "mapping.json")
                with open(mapping_path, "w", encoding="utf-8") as file:
                    json.dump(mapping, file, indent=1)
                splice_report(
                    mapping, args.output, mapping_path, bench_report.splice_mapping
                )
            return
        data.update(previous)
        if args.scale_only:
            data.update(scale=None, scale_command=args.command)
        if args.flood_only:
            data["flood"] = None
        if args.mapping_only:
            data["mapping"] = None
    else:
        data["main"] = main_benchmark(args, setups, args.workdir)
    if args.scale or args.scale_only:
        data["scale"] = scale_benchmark(args, setups, args.workdir)
        data["scale_machine"] = machine_info()
    if args.flood or args.flood_only:
        data["flood"] = flood_benchmark(args, setups, args.workdir, baseline)
    if args.mapping or args.mapping_only:
        data["mapping"] = mapping_benchmark(args, setups, args.workdir)
    data["elapsed_s"] = time.monotonic() - started
    with open(raw_path, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=1)
    write_report(data, args.output, raw_path)


def busy_only(args, raw_path):
    """Run the busy webhook case alone and put its section into the report."""
    rule_id = None
    if args.busy_db == SIDES["ours"]["db"]:
        rule_id = prepare_database("ours", args.addons_path, args.reset)["rules"][
            "update"
        ]["id"]
    else:
        log(f"updating webhook_automation in {args.busy_db}")
        odoo(args.addons_path, "-d", args.busy_db, "-u", "webhook_automation",
             "--stop-after-init")  # fmt: skip
    busy = busy_benchmark(args, args.workdir, rule_id)
    busy_path = os.path.join(args.workdir, "busy.json")
    with open(busy_path, "w", encoding="utf-8") as file:
        json.dump(busy, file, indent=1)
    if os.path.exists(raw_path):  # --report-only renders it with the rest
        with open(raw_path, encoding="utf-8") as file:
            data = json.load(file)
        if data.get("scale"):
            data["scale"]["busy"] = busy
            with open(raw_path, "w", encoding="utf-8") as file:
                json.dump(data, file, indent=1)
    splice_report(busy, args.output, busy_path, bench_busy.splice)


def e2e_only(args):
    """Run the async end-to-end comparison alone and put its section in the report."""
    db = args.e2e_db
    side = "ours_e2e"
    # ours with its job runner on bench_e2e.CHANNELS channels, on ``db``
    SIDES[side] = dict(
        SIDES["ours"],
        db=db,
        runner_env={"ODOO_QUEUE_JOB_CHANNELS": f"root:{bench_e2e.CHANNELS}"},
    )
    try:
        if database_exists(db):
            log(f"updating webhook_automation in {db}")
            odoo(args.addons_path, "-d", db, "-u", "webhook_automation",
                 "--stop-after-init")  # fmt: skip
        setup = prepare_database(side, args.addons_path, args.reset)
        log("e2e: what accepting an async call stores, by either path")
        accept = shell_step(args.addons_path, db, "accept_paths", accept_calls=200)
        rows = {mode: e2e_mode(args, side, db, setup, mode) for mode in args.modes}
    finally:
        del SIDES[side]
        bench_scale.clear_logs(db)
    e2e = {
        "rows": rows,
        "accept_paths": accept,
        "calls": args.e2e_calls,
        "calls_per_job": args.e2e_batch,
        "db": db,
        "machine": machine_info(db),
        "command": args.command,
    }
    path = os.path.join(args.workdir, "e2e.json")
    with open(path, "w", encoding="utf-8") as file:
        json.dump(e2e, file, indent=1)
    splice_report(e2e, args.output, path, bench_e2e.splice)


def set_calls_per_job(db, uuid, calls):
    """Set the Calls per Job of the webhook ``uuid`` in ``db``."""
    with bench_scale.cursor(db) as cr:
        cr.execute(
            "UPDATE base_automation SET webhook_job_batch_size = %s"
            " WHERE webhook_uuid = %s",
            (calls, uuid),
        )


def e2e_mode(args, side, db, setup, mode):
    """Rounds of sync and async end to end on one server of ``mode``."""
    set_calls_per_job(db, setup["rules"]["async"]["uuid"], args.e2e_batch)
    servers, _targets = start_servers(
        mode, args, {side: setup}, args.workdir, {}, {side: (side, db)}, warm=False
    )
    server = servers[side]
    rules = setup["rules"]
    urls = {
        kind: f"{server.base_url}/web/hook/{rules[rule]['uuid']}"
        for kind, rule in (("sync", "create"), ("async", "async"))
    }
    rows = []
    try:
        log(f"e2e {mode}: warming up")
        bench_e2e.run_round(server, db, urls, 20, ("sync", "async"), 120)
        for number in range(args.rounds):
            order = ("sync", "async")[:: (-1) ** number]
            row = bench_e2e.run_round(
                server, db, urls, args.e2e_calls, order, args.drain_timeout
            )
            rows.append(row)
            log(
                f"e2e {mode:8} r{number} sync {row['sync']['calls_per_s']:6.1f} "
                f"calls/s, async end to end {row['async']['calls_per_s'] or 0:6.1f} "
                f"calls/s (accept {row['async']['post_s']:.1f} s), job SQL "
                f"{bench_e2e.median(row['async']['job_queries'])}"
            )
    finally:
        stop_servers(servers)
    return rows


def write_report(data, output, raw_path):
    markdown, console = bench_report.render(data)
    if (data.get("scale") or {}).get("busy"):
        markdown, busy_console = bench_busy.splice(markdown, data["scale"]["busy"])
        console += "\n" + busy_console
    print(console)
    with open(output, "w", encoding="utf-8") as file:
        file.write(markdown)
    log(f"wrote {output} (raw results: {raw_path})")


def splice_report(section, output, raw_path, splice=bench_report.splice_flood):
    """Put a section (the flood's by default) into ``output``, keeping the rest."""
    try:
        with open(output, encoding="utf-8") as file:
            existing = file.read()
    except OSError:
        existing = ""
    markdown, console = splice(existing, section)
    print(console)
    with open(output, "w", encoding="utf-8") as file:
        file.write(markdown)
    log(f"wrote the section into {output} (raw results: {raw_path})")


if __name__ == "__main__":
    main()
