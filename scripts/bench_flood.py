# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The loads of scripts/benchmark's flood section, and the figures they give.

A flood is ``wrk -t1 -c16`` sending a fixed number of calls, within a time
bound: wrk has no count option, so a wrapper of ``bench_wrk.lua`` stops its
thread after the last call and leaves a flag file; the calls carry
``?flood=1``, which the access log keeps (it masks the webhook's secret), so
that its lines tell the flood's answers from the probes'. Probes are
``wrk -t1 -c1`` runs of their own, stopped with SIGINT (wrk then prints its
results) when the flood is over.
"""

import os
import re
import signal
import statistics
import subprocess
import time
from collections import Counter
from datetime import datetime

import bench_wrk

FLOOD_MARK = "flood=1"
# scripts/bench_wrk.lua, stopped after BENCH_MAX_REQUESTS calls (one thread)
CAPPED_LUA = """\
dofile(os.getenv("BENCH_WRK_SCRIPT"))
local send = request
local cap = tonumber(os.getenv("BENCH_MAX_REQUESTS"))
local sent = 0
request = function()
  sent = sent + 1
  if sent == cap then
    local flag = assert(io.open(os.getenv("BENCH_CAP_FLAG"), "w"))
    flag:close()
    wrk.thread:stop()
  end
  return send()
end
"""
TIMED_LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*?"
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ '
    r"(?P<queries>\d+) (?P<query_time>[\d.]+) (?P<other_time>[\d.]+)",
    re.MULTILINE,
)


class Wrk:
    """One wrk process loading one URL until it is stopped or its time is up."""

    def __init__(self, url, requests_file, clients, seconds, script, env=None):
        command = [
            "wrk",
            "-t1",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            script,
            url,
        ]
        self.process = subprocess.Popen(
            command,
            env=dict(os.environ, BENCH_REQUESTS=requests_file, **(env or {})),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def stop(self):
        """Stop wrk (SIGINT: it prints its results); return its numbers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=60)
        numbers = bench_wrk.parse_result(out)
        if numbers is None:
            raise SystemExit(f"wrk failed: {out}\n{err}")
        return bench_wrk.figures(numbers)


def capped_script(workdir, wrk_script):
    """Write the capped wrk script into ``workdir``; return its path and env."""
    path = os.path.join(workdir, "bench_wrk_capped.lua")
    with open(path, "w", encoding="utf-8") as file:
        file.write(CAPPED_LUA)
    return path, {"BENCH_WRK_SCRIPT": wrk_script}


def start_probes(server, probes, wrk_script):
    """Start one wrk client (c1) per probe; return {name: Wrk}."""
    return {
        name: Wrk(server.base_url + probe.path, probe.file, 1, 3600, wrk_script)
        for name, probe in probes.items()
    }


def stop_probes(running):
    return {name: wrk.stop() for name, wrk in running.items()}


def idle(server, probes, wrk_script, seconds):
    """Measure the probes alone for ``seconds``; return their numbers."""
    running = start_probes(server, probes, wrk_script)
    time.sleep(seconds)
    return stop_probes(running)


def flood_lines(server, start, stop=None):
    """Return the access log lines of flood calls after ``start`` (offset)."""
    with open(server.logfile, "rb") as file:
        file.seek(start)
        data = file.read() if stop is None else file.read(stop - start)
    text = data.decode("utf-8", "replace")
    return [m.groupdict() for m in TIMED_LINE.finditer(text) if FLOOD_MARK in m["path"]]


def count_flood_lines(server, start):
    with open(server.logfile, "rb") as file:
        file.seek(start)
        return file.read().count(FLOOD_MARK.encode())


def flood(server, target, probes, calls, clients, max_seconds, capped, wrk_script):
    """Send ``calls`` calls (at most ``max_seconds``), the probes running."""
    script, env = capped
    flag = os.path.join(os.path.dirname(script), "flood.flag")
    if os.path.exists(flag):
        os.unlink(flag)
    # wrk calls request() once more, before the load, to check what it returns
    env = dict(env, BENCH_MAX_REQUESTS=str(calls + 1), BENCH_CAP_FLAG=flag)
    start = server.log_offset()
    started = time.monotonic()
    load = Wrk(
        server.base_url + target.path, target.file, clients, max_seconds + 60,
        script, env,
    )  # fmt: skip
    running = start_probes(server, probes, wrk_script)
    answered, last_change, flagged = 0, started, None
    while time.monotonic() - started < max_seconds:
        time.sleep(0.2)
        count = count_flood_lines(server, start)
        if count != answered:
            answered, last_change = count, time.monotonic()
        if flagged is None and os.path.exists(flag):
            flagged = time.monotonic()
        if answered >= calls or load.process.poll() is not None:
            break
        if flagged and time.monotonic() - max(flagged, last_change) > 5:
            break  # all sent, some never answered (socket errors)
    flood_wrk = load.stop()
    # the answers of the calls in flight when the time was up
    while time.monotonic() - last_change < 1 and answered < calls:
        time.sleep(0.2)
        count = count_flood_lines(server, start)
        if count != answered:
            answered, last_change = count, time.monotonic()
    probe_results = stop_probes(running)
    lines = flood_lines(server, start, server.log_offset())
    return dict(
        summarize_flood(lines, flood_wrk, probe_results),
        calls=calls,
        complete=bool(flagged) and len(lines) >= calls,
    )


def log_time(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def summarize_flood(lines, flood_wrk, probes):
    """Return the figures of one flood from its access log lines and wrk."""
    statuses = Counter(line["status"] for line in lines)
    times = sorted(log_time(line["time"]) for line in lines)
    queries, server_ms = {}, {}
    for status in statuses:
        found = [x for x in lines if x["status"] == status]
        queries[status] = statistics.median_low(int(x["queries"]) for x in found)
        server_ms[status] = [
            statistics.median(float(x[key]) * 1000 for x in found)
            for key in ("query_time", "other_time")
        ]
    return {
        "answered": len(lines),
        "statuses": dict(statuses),
        "seconds": times[-1] - times[0] if len(times) > 1 else 0.0,
        "queries": queries,
        # median SQL and other (Python) ms of the answers of each status
        "server_ms": server_ms,
        "wrk": flood_wrk,
        "probes": probes,
    }


# ---------------------------------------------------------------------------
# The figures BENCHMARK.md holds before this run (the previous version's)
# ---------------------------------------------------------------------------

WORKERS_HEADING = "## Results: --workers=2"


def baseline_from_markdown(path, repo):
    """Return the req/s and SQL/call of ours, --workers=2, in BENCHMARK.md.

    {"commit", "version", "date", "rows": {"(2)": {"8": {"rps", "queries"}}}},
    or None without such a table.
    """
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except OSError:
        return None
    if WORKERS_HEADING not in text:
        return None
    table = text.split(WORKERS_HEADING, 1)[1].split("\n\n", 2)[1]
    lines = [line.strip().strip("|").split("|") for line in table.splitlines()]
    header = [cell.strip() for cell in lines[0]]
    columns = {name: header.index(name) for name in header}
    rows = {}  # by the scenario's number, "(1)", or its first word
    for cells in lines[2:]:
        cells = [cell.strip() for cell in cells]
        key = cells[columns["scenario"]].split()[0]
        rows.setdefault(key, {})[cells[columns["clients"]]] = {
            "rps": float(cells[columns["ours req/s"]]),
            "queries": float(cells[columns["ours SQL/call"]]),
        }
    commit = re.search(r"webhook_automation at commit (\w+)", text)
    date = re.search(r"^- date: (.+)$", text, re.MULTILINE)
    commit = commit and commit[1]
    return {
        "commit": commit,
        "version": manifest_version(repo, commit) if commit else None,
        "date": date and date[1],
        "rows": rows,
    }


def manifest_version(repo, commit):
    """Return the addon's version at ``commit``, None if git cannot tell."""
    done = subprocess.run(
        ["git", "show", f"{commit}:__manifest__.py"],
        capture_output=True,
        text=True,
        cwd=repo,
    )
    found = re.search(r'"version":\s*"([^"]+)"', done.stdout)
    return found[1] if found else None
