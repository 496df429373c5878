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

LOG_ROWS = 1_000_000
SPREAD_SECONDS = 30 * 24 * 3600

# webhook_automation's call logs: one call in 50 failed, the rest succeeded
INSERT_CALL_LOGS = """
INSERT INTO webhook_call_log (
    automation_id, call_date, request_id, method, content_type, remote_addr,
    request_headers, request_body, body_size, status_code, failed,
    response_body, duration_ms, error_type, error_code, error_message,
    target_model, target_ids, state, mode, attempts, from_console,
    create_uid, create_date, write_uid, write_date)
SELECT (%(rules)s::int[])[1 + g %% cardinality(%(rules)s::int[])],
       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * %(step)s),
       'bench-' || lpad(g::text, 8, '0'),
       'POST', 'application/json', '127.0.0.1',
       '{"Content-Length": "37", "Content-Type": "application/json", '
           '"Host": "127.0.0.1:8069", "User-Agent": "bench"}',
       '{"model": "res.partner", "id": ' || (g %% 100 + 1) || '}',
       37,
       CASE WHEN g %% 50 = 0 THEN 500 ELSE 200 END,
       g %% 50 = 0,
       '{"status": "ok", "request_id": "bench-' || lpad(g::text, 8, '0') || '"}',
       5 + g %% 20,
       CASE WHEN g %% 50 = 0 THEN 'ValueError' END,
       CASE WHEN g %% 50 = 0 THEN 'internal_error' END,
       CASE WHEN g %% 50 = 0 THEN 'Missing required fields' END,
       'res.partner', (g %% 100 + 1)::text,
       CASE WHEN g %% 50 = 0 THEN 'failed' ELSE 'done' END,
       'sync', 1, false,
       1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
  FROM generate_series(1, %(rows)s) AS g
"""

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
    params = {"rules": list(rule_ids), "rows": rows, "step": SPREAD_SECONDS / rows}
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
