# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What wrk prints through bench_wrk.lua, read once for every benchmark part."""

RESULT_PREFIX = "BENCH_RESULT "


def parse_result(stdout):
    """Return the numbers of the ``BENCH_RESULT`` line wrk printed, or None."""
    line = next((x for x in stdout.splitlines() if x.startswith(RESULT_PREFIX)), None)
    if line is None:
        return None
    return {k: float(v) for k, v in (f.split("=") for f in line.split()[1:])}


def figures(numbers):
    """Return the figures of a wrk run: requests, req/s, latencies, errors."""
    seconds = numbers["duration_us"] / 1e6
    return {
        "requests": int(numbers["requests"]),
        "seconds": seconds,
        "rps": numbers["requests"] / seconds if seconds else 0.0,
        "p50_ms": numbers["p50_us"] / 1000,
        "p90_ms": numbers["p90_us"] / 1000,
        "p99_ms": numbers["p99_us"] / 1000,
        "non2xx": int(numbers["status"]),
        "socket_errors": int(
            sum(numbers[k] for k in ("connect", "read", "write", "timeout"))
        ),
    }
