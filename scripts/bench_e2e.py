# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Async end to end against sync: calls per second with 2 clients (issue 18).

Run by ``scripts/benchmark --e2e`` (or ``--e2e-only``). Ours alone, on one
server of each mode, its job runner on 2 channels (``root:2``). A round posts
the same N create-contact calls with 2 clients to the sync webhook (1), then
to the async one, or the other way round in odd rounds. Sync: N / (first post
to last answer). Async end to end: N / (first post to the last job done, the
``date_done`` of the calls' jobs), the runner running the jobs while the calls
come in. Before the rounds, ``bench_setup.py``'s ``accept_paths`` step times
what accepting an async call stores by one INSERT against queue_job's
``with_delay()``, which the section reports too.
"""

import os
import re
import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import bench_report
import bench_scale
import requests

CLIENTS = 2
CHANNELS = 2
TARGET = 0.9  # async end to end calls/s / sync calls/s
JOB_SQL_TARGET = 24  # statements of the job of a create-contact call
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
HEADING = "## Async end to end vs sync: calls per second, 2 clients"
TITLE = "Async end to end"
SUMMARY_LINE = re.compile(r"^- \*\*(met|MISSED)\*\* (" + TITLE + "|Job path:)")
BODY = '{"name": "Bench contact", "email": "bench@example.com", "phone": "+1 555 0100"}'
HEADER = [
    "server", "round", "sync calls/s", "async end to end calls/s", "×",
    "async: accept s", "async: last job done s", "answers (sync / async)",
]  # fmt: skip
SUMMARY_HEADER = [
    "server", "sync calls/s", "async end to end calls/s", "× (median of rounds)",
    "× per round", "spread of ×", "SQL: sync call", "SQL: accept", "SQL: job",
    "SQL: jobs per call",
    "job SQL + Python ms", "CPU ms per call, sync: Odoo + PostgreSQL",
    "async: Odoo + runner + PostgreSQL", f"≥ {TARGET}×",
]  # fmt: skip
NOTE = """\
How: ours alone (`{db}`), one server per mode with the main part's options,
queue_job's runner in a process of its own with
`ODOO_QUEUE_JOB_CHANNELS=root:{channels}` (the async webhook's jobs run on
`root.webhook`, under `root`). Each round posts
{calls} create-contact calls (the body of (1), Log Calls on, a new webhook's
protection settings) with {clients} clients (Python threads, one HTTP session
each), to the sync webhook (1) and to the same webhook in async mode, in turn
(sync first in even rounds). Sync calls/s: {calls} / (first post to last
answer). Async end to end calls/s: {calls} / (first post to the last `date_done`
of the calls' jobs), the runner running jobs while calls come in; the next run
starts once every job is done. × is the median of the rounds' async / sync, the
spread its lowest and highest. SQL per call and per job are the medians of the
access log's counts (`/queue_job/runjob` for the jobs), over all rounds. CPU ms
per call: the CPU time of the Odoo server's processes, of the job runner's and
of the PostgreSQL backends connected to the database, over the run, divided by
its calls (median of the rounds): what each call costs the 2 cores, whatever
else runs on them."""
BATCH = """\
Calls per Job (the webhook's Delivery tab, default 1) sets what async costs.
With 1, each call's job costs queue_job's runner an HTTP request to the server
(`/queue_job/runjob`) and queue_job's own 9 statements (the row's lock,
`Job.load()`'s 4 reads, the "started" commit, "done" and the dependent jobs)
on top of the call's own work: about 2x the CPU of a sync call, measured at
× 0.58 (threaded) and × 0.57 (--workers=2) with 33 statements per job on
2026-12-04. With N > 1, a job runs up to N accepted calls of its webhook,
oldest first, each in a savepoint of its own, and sets the jobs of the calls
it ran done; so that a running job takes them first, the jobs of such a
webhook start 1 s after their call was accepted: up to 1 s more before a
call of a quiet webhook runs, for fewer jobs, statements and CPU per call."""
WHY = """\
Why a target is missed: with few calls per job, each call pays a job's fixed
cost (above); a larger Calls per Job (`--e2e-batch`) spreads it over the
calls of a busy webhook."""


def post_calls(url, calls, clients=CLIENTS):
    """Post ``calls`` calls with ``clients`` threads; return when and how it went."""
    statuses = Counter()
    lock = threading.Lock()
    per_client = [calls // clients + (i < calls % clients) for i in range(clients)]

    def client(count):
        with requests.Session() as session:
            for _number in range(count):
                response = session.post(
                    url,
                    data=BODY,
                    headers={"Content-Type": "application/json"},
                    timeout=60,
                )
                with lock:
                    statuses[response.status_code] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
    started_at = datetime.now(UTC).replace(tzinfo=None)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return started_at, started, time.monotonic() - started, statuses


def wait_jobs(db, since, timeout):
    """Wait until the jobs created since ``since`` ended; return the last date_done."""
    deadline = time.monotonic() + timeout
    with bench_scale.cursor(db) as cr:
        while True:
            cr.execute(
                "SELECT count(*) FILTER (WHERE state NOT IN "
                "('done', 'failed', 'cancelled')), max(date_done), count(*) "
                "FROM queue_job WHERE date_created >= %s",
                (since,),
            )
            left, last_done, total = cr.fetchone()
            if not left or time.monotonic() > deadline:
                return last_done, left, total
            time.sleep(0.05)


def process_cpu(pid):
    """Return the CPU seconds process ``pid`` used so far, and its group."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as file:
            fields = file.read().rpartition(")")[2].split()
    except OSError:
        return 0.0, None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, int(fields[2])


def cpu_seconds(server, db):
    """Return the CPU seconds used so far by Odoo, its job runner and PostgreSQL.

    Odoo: the processes of its group (workers included); PostgreSQL: the
    backends connected to ``db`` now (the others' work is not counted).
    """
    groups = {"odoo": server.process.pid, "runner": server.runner.process.pid}
    used = dict.fromkeys([*groups, "postgres"], 0.0)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            seconds, group = process_cpu(int(entry))
            for name, pgid in groups.items():
                if group == pgid:
                    used[name] += seconds
    with bench_scale.cursor(db) as cr:
        cr.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s "
            "AND pid != pg_backend_pid()",
            (db,),
        )
        for (pid,) in cr.fetchall():
            used["postgres"] += process_cpu(pid)[0]
    return used


def run_round(server, db, urls, calls, order, timeout):
    """Run sync and async once each, in ``order``; return their figures."""
    row = {}
    for kind in order:
        offset = server.log_offset()
        cpu_before = cpu_seconds(server, db)
        started_at, _started, seconds, statuses = post_calls(urls[kind], calls)
        figures = {"statuses": dict(statuses), "post_s": seconds}
        if kind == "async":
            last_done, left, total = wait_jobs(db, started_at, timeout)
            figures.update(jobs=total, left=left)
            seconds = (last_done - started_at).total_seconds() if last_done else None
            figures["last_done_s"] = seconds
        figures["calls_per_s"] = calls / seconds if seconds else None
        cpu_after = cpu_seconds(server, db)
        figures["cpu_ms"] = {
            name: (cpu_after[name] - cpu_before[name]) * 1000 / calls
            for name in cpu_after
        }
        time.sleep(0.3)  # the last access lines
        lines = server.access_lines(offset, server.log_offset())
        hooks = [line for line in lines if line["path"].startswith("/web/hook/")]
        jobs = [line for line in lines if line["path"].startswith("/queue_job/runjob")]
        figures["queries"] = [int(line["queries"]) for line in hooks]
        figures["job_queries"] = [int(line["queries"]) for line in jobs]
        figures["job_sql_ms"] = [float(line["query_time"]) * 1000 for line in jobs]
        figures["job_python_ms"] = [float(line["other_time"]) * 1000 for line in jobs]
        row[kind] = figures
    return row


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def mode_summary(rows):
    """Return the figures of one server mode's rounds."""
    ratios = [
        bench_report.ratio(row["async"]["calls_per_s"], row["sync"]["calls_per_s"])
        for row in rows
    ]
    ratios = [value for value in ratios if value is not None]

    def all_of(kind, key):
        return [value for row in rows for value in row[kind][key]]

    return {
        "sync": median(row["sync"]["calls_per_s"] for row in rows),
        "async": median(row["async"]["calls_per_s"] for row in rows),
        "ratio": median(ratios),
        "ratios": ratios,
        "sync_sql": median(all_of("sync", "queries")),
        "accept_sql": median(all_of("async", "queries")),
        "job_sql": median(all_of("async", "job_queries")),
        # the statements of all the jobs over the calls: a job may run several
        "job_sql_per_call": median(
            sum(row["async"]["job_queries"]) / sum(row["async"]["statuses"].values())
            for row in rows
            if row["async"]["statuses"]
        ),
        "job_sql_ms": median(all_of("async", "job_sql_ms")),
        "job_python_ms": median(all_of("async", "job_python_ms")),
        "cpu_ms": {
            kind: {
                name: median(row[kind]["cpu_ms"][name] for row in rows)
                for name in ("odoo", "runner", "postgres")
            }
            for kind in ("sync", "async")
        },
        "failed": sum(
            count
            for row in rows
            for kind in ("sync", "async")
            for status, count in row[kind]["statuses"].items()
            if int(status) >= 400
        )
        + sum(row["async"]["left"] or 0 for row in rows),
    }


def section(e2e):
    """Return the section (markdown lines), its targets and its console text."""
    fmt = bench_report.fmt
    summary_rows, round_rows, oks = [], [], []
    for mode, rows in e2e["rows"].items():
        figures = mode_summary(rows)
        ok = (
            figures["ratio"] is not None
            and figures["ratio"] >= TARGET
            and not figures["failed"]
        )
        oks.append(ok)
        title = bench_report.MODE_TITLES[mode]
        spread = (
            f"{min(figures['ratios']):.2f}–{max(figures['ratios']):.2f}"
            if figures["ratios"]
            else "–"
        )
        summary_rows.append([
            title, fmt(figures["sync"]), fmt(figures["async"]),
            fmt(figures["ratio"], 2), " / ".join(f"{v:.2f}" for v in figures["ratios"]),
            spread, fmt(figures["sync_sql"]), fmt(figures["accept_sql"]),
            fmt(figures["job_sql"]), fmt(figures["job_sql_per_call"], 1),
            f"{fmt(figures['job_sql_ms'])} + {fmt(figures['job_python_ms'])}",
            cpu_text(figures["cpu_ms"]["sync"], ("odoo", "postgres")),
            cpu_text(figures["cpu_ms"]["async"], ("odoo", "runner", "postgres")),
            bench_report.verdict(ok),
        ])  # fmt: skip
        for number, row in enumerate(rows):
            sync, async_ = row["sync"], row["async"]
            round_rows.append([
                title, number, fmt(sync["calls_per_s"]), fmt(async_["calls_per_s"]),
                fmt(bench_report.ratio(async_["calls_per_s"], sync["calls_per_s"]), 2),
                fmt(async_["post_s"], 2), fmt(async_["last_done_s"], 2),
                f"{bench_report.statuses_text(sync['statuses'])} / "
                f"{bench_report.statuses_text(async_['statuses'])}",
            ])  # fmt: skip
    detail = ", ".join(
        f"{row[0].split()[0]} × {row[3]} ({row[5]})" for row in summary_rows
    )
    per_call = [mode_summary(rows)["job_sql_per_call"] for rows in e2e["rows"].values()]
    job_sqls = [fmt(value, 1) for value in per_call]
    job_sql_ok = bool(per_call) and all(
        value is not None and value <= JOB_SQL_TARGET for value in per_call
    )
    results = [
        (
            f"{TITLE} (accept + job, runner on {CHANNELS} channels, "
            f"{e2e.get('calls_per_job', 1)} calls per job) ≥ {TARGET}× "
            f"sync calls/s, {CLIENTS} clients",
            bool(oks) and all(oks),
            detail,
        ),
        (
            f"Job path: the jobs run a create-contact call in ≤ {JOB_SQL_TARGET} "
            "SQL statements",
            job_sql_ok,
            ", ".join(
                f"{row[0].split()[0]} {sql}"
                for row, sql in zip(summary_rows, job_sqls, strict=True)
            ),
        ),
    ]
    machine = e2e["machine"]
    lines = [
        "",
        HEADING,
        "",
        f"Measured {machine['date']} at commit {machine['commit']}"
        + (" plus uncommitted changes" if machine["dirty"] else "")
        + f", `{e2e['command']}`.",
        "",
        f"Calls per Job of the async webhook: {e2e.get('calls_per_job', 1)}.",
        "",
        f"Target: async end to end ≥ {TARGET}× sync calls/s: "
        f"{bench_report.verdict(results[0][1])} ({detail}).",
        f"Target: the jobs run a create-contact call in ≤ {JOB_SQL_TARGET} "
        "statements: "
        f"{bench_report.verdict(results[1][1])} ({results[1][2]}).",
        "",
        bench_report.markdown_table(SUMMARY_HEADER, summary_rows),
        "",
        "Rounds:",
        "",
        bench_report.markdown_table(HEADER, round_rows),
    ]
    accept = e2e.get("accept_paths")
    if accept:
        lines += ["", accept_text(accept)]
    lines += [
        "",
        NOTE.format(
            db=e2e["db"], channels=CHANNELS, calls=e2e["calls"], clients=CLIENTS
        ),
    ]
    lines += ["", BATCH]
    if not all(ok for _title, ok, _text in results):
        lines += ["", WHY]
    console = ["", "== async end to end vs sync =="]
    console.append(bench_report.console_table(SUMMARY_HEADER, summary_rows))
    console.append(bench_report.console_table(HEADER, round_rows))
    if accept:
        console.append(accept_text(accept))
    console += [
        f"{'met   ' if ok else 'MISSED'}  {title}: {text}"
        for title, ok, text in results
    ]
    return lines, results, console


def cpu_text(cpu, names):
    """Return CPU ms per call as "a + b = total"."""
    parts = [cpu[name] for name in names]
    if None in parts:
        return "–"
    return " + ".join(f"{value:.1f}" for value in parts) + f" = {sum(parts):.1f}"


def accept_text(accept):
    """Return the paragraph of the accept paths' figures."""
    insert, delayed = accept["paths"]["insert"], accept["paths"]["with_delay"]
    guards = accept["guard_us"]
    return (
        f"What accepting an async call stores ({accept['calls']} calls of each, "
        "in turn, in `odoo shell`, commit included; `bench_setup.py accept_paths`): "
        f"the log and its job by one INSERT, {insert['statements']:g} statements, "
        f"median {insert['median_ms']:.2f} ms (p90 {insert['p90_ms']:.2f}); "
        f"the log, then `with_delay()` and the link, {delayed['statements']:g} "
        f"statements, median {delayed['median_ms']:.2f} ms "
        f"(p90 {delayed['p90_ms']:.2f}). "
        f"Choosing the path (`_webhook_can_insert_job()`): "
        f"{guards['can_insert_job']:.2f} µs, of which the MRO inspection "
        f"{guards['create_is_plain']:.2f} µs and the test-mock check "
        f"{guards['mock_check']:.3f} µs."
    )


def splice(existing, e2e):
    """Put the section and its summary line into an existing report."""
    lines, results, console = section(e2e)
    markdown = bench_report.splice_section(
        existing, HEADING, lines, results, SUMMARY_LINE
    )
    return markdown, "\n".join(console)
