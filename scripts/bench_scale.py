# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SQL of scripts/benchmark: emptying the logs, and the scale data.

The scale data is deterministic: the same ``generate_series`` statements give
the same rows (dates relative to now) on every run. The call logs, deliveries
and core's ir.logging rows are spread over ``rule_ids`` (a few webhooks: the
measured ones and some fillers) and over the last 30 days.
"""

from contextlib import contextmanager

import psycopg2
from psycopg2 import sql

LOG_ROWS = 1_000_000
SPREAD_SECONDS = 30 * 24 * 3600

# webhook_automation's call logs: one call in 50 failed, the rest succeeded
# the columns of the logs the benchmarks insert, and their values after the
# webhook and the date: log g of a run, request id %(prefix)s<g>, one in 50
# failed
LOG_COLUMNS = """
INSERT INTO webhook_call_log (
    automation_id, call_date, request_id, method, content_type, remote_addr,
    request_headers, request_body, body_size, status_code, failed,
    response_body, duration_ms, error_type, error_code, error_message,
    target_model, target_ids, state, mode, attempts, from_console,
    create_uid, create_date, write_uid, write_date)
"""
LOG_VALUES = """
       %(prefix)s || lpad(g::text, 8, '0'),
       'POST', 'application/json', '127.0.0.1',
       '{"Content-Length": "37", "Content-Type": "application/json", '
           '"Host": "127.0.0.1:8069", "User-Agent": "bench"}',
       '{"model": "res.partner", "id": ' || (g %% 100 + 1) || '}',
       37,
       CASE WHEN g %% 50 = 0 THEN 500 ELSE 200 END,
       g %% 50 = 0,
       '{"status": "ok", "request_id": "' || %(prefix)s || lpad(g::text, 8, '0')
           || '"}',
       5 + g %% 20,
       CASE WHEN g %% 50 = 0 THEN 'ValueError' END,
       CASE WHEN g %% 50 = 0 THEN 'internal_error' END,
       CASE WHEN g %% 50 = 0 THEN 'Missing required fields' END,
       'res.partner', (g %% 100 + 1)::text,
       CASE WHEN g %% 50 = 0 THEN 'failed' ELSE 'done' END,
       'sync', 1, false,
       1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
"""

INSERT_CALL_LOGS = (
    LOG_COLUMNS
    + """
SELECT (%(rules)s::int[])[1 + g %% cardinality(%(rules)s::int[])],
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * %(step)s),"""
    + LOG_VALUES
    + """
  FROM generate_series(1, %(rows)s) AS g
"""
)

INSERT_DELIVERIES = """
INSERT INTO webhook_delivery (
    automation_id, delivery_id, request_id, status_code, response_body,
    create_uid, create_date, write_uid, write_date)
SELECT (%(rules)s::int[])[1 + g %% cardinality(%(rules)s::int[])],
       'bench-delivery-' || lpad(g::text, 8, '0'),
       'bench-' || lpad(g::text, 8, '0'),
       200, '{"status": "ok"}',
       1, (now() AT TIME ZONE 'UTC') - make_interval(secs => g * %(step)s),
       1, (now() AT TIME ZONE 'UTC') - make_interval(secs => g * %(step)s)
  FROM generate_series(1, %(rows)s) AS g
"""

# core's webhook log: base.automation._execute_webhook's ir.logging rows
INSERT_IR_LOGGING = """
INSERT INTO ir_logging (
    create_uid, create_date, write_uid, write_date, name, type, dbname,
    level, message, path, func, line)
SELECT 1, (now() AT TIME ZONE 'UTC') - make_interval(secs => g * %(step)s),
       1, (now() AT TIME ZONE 'UTC') - make_interval(secs => g * %(step)s),
       'Webhook Log', 'server', current_database(),
       CASE WHEN g %% 50 = 0 THEN 'ERROR' ELSE 'INFO' END,
       'Webhook #' || rule.id
           || ' triggered with payload {''model'': ''res.partner'', ''id'': '
           || (g %% 100 + 1) || '}',
       'base_automation(' || rule.id || ')',
       '', ''
  FROM generate_series(1, %(rows)s) AS g
 CROSS JOIN LATERAL (
     SELECT (%(rules)s::int[])[1 + g %% cardinality(%(rules)s::int[])] AS id
 ) AS rule
"""


@contextmanager
def cursor(db):
    """Yield an autocommit cursor on ``db`` (local socket, like Odoo)."""
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            yield cr
    finally:
        conn.close()


def table_exists(cr, table):
    cr.execute("SELECT to_regclass(%s) IS NOT NULL", (table,))
    return cr.fetchone()[0]


def clear_logs(db):
    """Empty the webhook logs, deliveries, jobs and benchmark contacts of ``db``."""
    with cursor(db) as cr:
        if table_exists(cr, "webhook_call_log"):
            cr.execute("TRUNCATE webhook_call_log, webhook_delivery")
        if table_exists(cr, "queue_job"):
            cr.execute("DELETE FROM queue_job")
        cr.execute("DELETE FROM ir_logging WHERE path LIKE 'base_automation(%'")
        # the contacts made by the create-contact scenarios
        cr.execute(
            "DELETE FROM res_partner WHERE name = 'Bench contact' "
            "AND email = 'bench@example.com'"
        )
        cr.execute("VACUUM ANALYZE")


def fill_logs(db, rule_ids, rows=LOG_ROWS):
    """Insert ``rows`` webhook logs and deliveries (or core's ir.logging rows)."""
    params = {
        "rules": list(rule_ids),
        "rows": rows,
        "step": SPREAD_SECONDS / rows,
        "prefix": "bench-",
    }
    with cursor(db) as cr:
        if table_exists(cr, "webhook_call_log"):
            cr.execute(INSERT_CALL_LOGS, params)
            cr.execute(INSERT_DELIVERIES, params)
        else:
            cr.execute(INSERT_IR_LOGGING, params)
        cr.execute("VACUUM ANALYZE")


def queue_states(db):
    """Return {state: count} of the queue jobs of ``db``."""
    with cursor(db) as cr:
        if not table_exists(cr, "queue_job"):
            return {}
        cr.execute("SELECT state, count(*) FROM queue_job GROUP BY state")
        return dict(cr.fetchall())


def queue_backlog(db):
    """Return how many queue jobs of ``db`` are not finished yet."""
    states = queue_states(db)
    return sum(n for s, n in states.items() if s not in ("done", "failed", "cancelled"))


def server_version():
    with cursor("postgres") as cr:
        cr.execute("SHOW server_version")
        return cr.fetchone()[0]


# ---------------------------------------------------------------------------
# The busy webhook: one webhook busy for months among many quiet ones
# ---------------------------------------------------------------------------

BUSY_DAYS = 60
BUSY_PER_DAY = 3_000
BUSY_OTHER_RULES = 10_000
BUSY_OTHER_LOGS = 82  # 180,000 + 10,000 x 82 = 1,000,000 logs in all
BUSY_FILLER_PREFIX = "Busy filler "
# how many of the newest logs autovacuum may leave unvacuumed: its insert
# threshold for the table (PostgreSQL's default: 1,000 + 20 % of the table,
# 12 days of logs at this rate); index-only scans of them read table pages
AUTOVACUUM_INSERT_SETTINGS = """
SELECT current_setting('autovacuum_vacuum_insert_threshold')::float,
       current_setting('autovacuum_vacuum_insert_scale_factor')::float,
       reloptions
  FROM pg_class WHERE oid = 'webhook_call_log'::regclass
"""

# the quiet webhooks: copies of the busy one, without actions
BUSY_COPY_RULES = """
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'public' AND table_name = 'base_automation'
   AND column_name NOT IN ('id', 'name', 'webhook_uuid', 'webhook_previous_uuid',
                           'webhook_previous_uuid_expiry')
 ORDER BY ordinal_position
"""

BUSY_INSERT_RULES = """
INSERT INTO base_automation (name, webhook_uuid, {columns})
SELECT jsonb_build_object('en_US', %(prefix)s || lpad(g::text, 5, '0')),
       md5('busy-filler-' || g), {columns}
  FROM base_automation, generate_series(1, %(others)s) AS g
 WHERE id = %(rule)s
 ORDER BY g
RETURNING id
"""

# the busy webhook's calls (g <= busy), then the quiet ones' in turn, one
# call in 50 failed, over BUSY_DAYS; stored oldest first, as they come, so
# that the busy webhook's rows are spread over the table's pages among the
# others' (ids and pages in date order)
INSERT_BUSY_LOGS = (
    LOG_COLUMNS
    + """
SELECT CASE WHEN g <= %(busy)s THEN %(rule)s
            ELSE %(first)s + (g - %(busy)s) %% %(others)s END,
       (now() AT TIME ZONE 'UTC') - make_interval(secs => age),"""
    + LOG_VALUES
    + """
  FROM generate_series(1, %(rows)s) AS g
 CROSS JOIN LATERAL (
     SELECT CASE WHEN g <= %(busy)s THEN g * %(busy_step)s
                 ELSE (g - %(busy)s) * %(other_step)s END AS age
 ) AS call
 ORDER BY age DESC
 LIMIT %(limit)s OFFSET %(offset)s
"""
)


def copy_database(template, copy):
    """(Re)create ``copy`` as a copy of ``template`` (no session may use it)."""
    with cursor("postgres") as cr:
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy)))
        cr.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(copy), sql.Identifier(template)
            )
        )


def drop_database(db):
    with cursor("postgres") as cr:
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(db)))


def busy_rule(db):
    """Return the first active webhook rule of ``db``: the one made busy."""
    with cursor(db) as cr:
        cr.execute(
            "SELECT id FROM base_automation WHERE trigger = 'on_webhook' AND active "
            "ORDER BY id LIMIT 1"
        )
        row = cr.fetchone()
    if not row:
        raise SystemExit(f"{db} has no active webhook rule to make busy")
    return row[0]


def fill_busy(db, rule_id, days=BUSY_DAYS, per_day=BUSY_PER_DAY,
              others=BUSY_OTHER_RULES, other_logs=BUSY_OTHER_LOGS,
              unvacuumed=None):  # fmt: skip
    """Make ``rule_id`` busy in ``db``: its logs, and ``others`` quiet webhooks.

    The quiet webhooks are copies of ``rule_id`` (SQL, without actions) with
    ``other_logs`` logs each; all the logs are spread over ``days`` days. The
    newest logs, ``unvacuumed`` or as many as autovacuum lets wait with the
    table's settings, are not vacuumed. Returns the numbers of rows.
    """
    busy = days * per_day
    rows = busy + others * other_logs
    with cursor(db) as cr:
        cr.execute("TRUNCATE webhook_call_log, webhook_delivery")
        cr.execute(BUSY_COPY_RULES)
        columns = [row[0] for row in cr.fetchall()]
        cr.execute(
            sql.SQL(BUSY_INSERT_RULES).format(
                columns=sql.SQL(", ").join(map(sql.Identifier, columns))
            ),
            {"prefix": BUSY_FILLER_PREFIX, "others": others, "rule": rule_id},
        )
        ids = sorted(row[0] for row in cr.fetchall())
        assert ids == list(range(ids[0], ids[0] + others)), "filler ids not contiguous"
        seconds = days * 24 * 3600
        params = {
            "busy": busy,
            "rule": rule_id,
            "first": ids[0],
            "others": others,
            "busy_step": seconds / busy,
            "other_step": seconds / (rows - busy),
            "rows": rows,
            "prefix": "busy-",
        }
        if unvacuumed is None:
            unvacuumed = autovacuum_backlog(cr, rows)
        unvacuumed = min(unvacuumed, rows)
        # the older logs, vacuumed; then the newest ones, only analyzed
        vacuumed = rows - unvacuumed
        cr.execute(INSERT_BUSY_LOGS, dict(params, limit=vacuumed, offset=0))
        cr.execute("VACUUM ANALYZE webhook_call_log")
        cr.execute(INSERT_BUSY_LOGS, dict(params, limit=None, offset=vacuumed))
        cr.execute("ANALYZE webhook_call_log")
        cr.execute("VACUUM ANALYZE base_automation")
        cr.execute("SELECT count(*) FROM webhook_call_log WHERE automation_id = %s",
                   (rule_id,))  # fmt: skip
        rule_logs = cr.fetchone()[0]
    return {
        "rule_logs": rule_logs,
        "logs": rows,
        "other_rules": others,
        "unvacuumed": unvacuumed,
    }


def autovacuum_backlog(cr, rows):
    """Return how many new logs autovacuum waits for in a table of ``rows``."""
    cr.execute(AUTOVACUUM_INSERT_SETTINGS)
    threshold, scale, options = cr.fetchone()
    for option in options or ():
        name, value = option.split("=", 1)
        if name == "autovacuum_vacuum_insert_threshold":
            threshold = float(value)
        elif name == "autovacuum_vacuum_insert_scale_factor":
            scale = float(value)
    return int(threshold + scale * rows)


def empty_logs(db):
    """Empty the webhook logs and deliveries of ``db`` (a copy), and vacuum."""
    with cursor(db) as cr:
        cr.execute("TRUNCATE webhook_call_log, webhook_delivery")
        cr.execute("VACUUM ANALYZE webhook_call_log")
