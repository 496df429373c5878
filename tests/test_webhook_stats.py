# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The statistics of webhooks: their windows, their limit, several at once."""

from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

from ..models.base_automation import COUNT_LIMIT
from .common import WebhookCase


class TestWebhookStats(WebhookCase):
    def _log(self, rule, age, failed=False):
        return self.env["webhook.call.log"].create(
            {
                "automation_id": rule.id,
                "call_date": fields.Datetime.now() - age,
                "status_code": 500 if failed else 200,
                "failed": failed,
            }
        )

    def test_windows_end_at_24_hours_and_7_days(self):
        rule = self._create_webhook(record_getter=False)
        newest = self._log(rule, timedelta(hours=23, minutes=59), failed=True)
        self._log(rule, timedelta(hours=24, minutes=1))
        self._log(rule, timedelta(days=6, hours=23), failed=True)
        self._log(rule, timedelta(days=7, minutes=1), failed=True)
        rule.invalidate_recordset()
        self.assertEqual(rule.webhook_calls_24h, 1)
        self.assertEqual(rule.webhook_failure_rate_24h, 1.0)
        self.assertEqual(rule.webhook_calls_7d, 3)
        self.assertAlmostEqual(rule.webhook_failure_rate_7d, 2 / 3)
        self.assertEqual(rule.webhook_call_count, 4)
        self.assertEqual(rule.webhook_failed_count, 3)
        self.assertEqual(rule.webhook_last_call, newest.call_date)
        self.assertEqual(rule.webhook_last_status, 500)

    def test_busy_webhook_counts_stop_at_the_limit(self):
        rule = self._create_webhook(record_getter=False)
        # two days ago, three failed calls; then COUNT_LIMIT + 1 calls in the
        # last hour, the newest one refused with a 429
        for _ in range(3):
            self._log(rule, timedelta(days=2), failed=True)
        self.env["webhook.call.log"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO webhook_call_log (
                    automation_id, call_date, status_code, failed, state, mode,
                    attempts, from_console)
                SELECT %(rule)s,
                       (now() AT TIME ZONE 'UTC') - make_interval(secs => g * 0.3),
                       CASE WHEN g = 1 THEN 429 ELSE 200 END,
                       false, 'done', 'sync', 1, false
                  FROM generate_series(1, %(rows)s) AS g
                """,
                rule=rule.id,
                rows=COUNT_LIMIT + 1,
            )
        )
        rule.invalidate_recordset()
        # "10000" means 10,000 or more, as the list pager says
        self.assertEqual(rule.webhook_call_count, COUNT_LIMIT)
        self.assertEqual(rule.webhook_calls_24h, COUNT_LIMIT)
        self.assertEqual(rule.webhook_calls_7d, COUNT_LIMIT)
        # the failures of a busier window are those of its latest calls...
        self.assertEqual(rule.webhook_failure_rate_7d, 0.0)
        # ... but the failed calls are all counted, on their own index
        self.assertEqual(rule.webhook_failed_count, 3)
        self.assertEqual(rule.webhook_last_status, 429)

    def test_list_gives_each_webhook_its_own_figures(self):
        busy = self._create_webhook(record_getter=False, name="Busy")
        idle = self._create_webhook(record_getter=False, name="Idle")
        self._log(busy, timedelta(hours=1))
        last = self._log(busy, timedelta(minutes=5), failed=True)
        rows = self.env["base.automation"].web_search_read(
            [("id", "in", (busy | idle).ids)],
            {
                "name": {},
                "webhook_last_call": {},
                "webhook_call_count": {},
                "webhook_failed_count": {},
            },
        )["records"]
        figures = {
            row["name"]: (
                row["webhook_call_count"],
                row["webhook_failed_count"],
                row["webhook_last_call"],
            )
            for row in rows
        }
        self.assertEqual(
            figures,
            {
                "Busy": (2, 1, last.call_date),
                "Idle": (0, 0, False),
            },
        )

    def test_log_table_is_vacuumed_every_few_thousand_logs(self):
        # the statistics' index-only scans read no table page once vacuumed
        if self.env.cr._cnx.server_version < 130000:
            self.skipTest("PostgreSQL 12 has no autovacuum insert threshold")
        self.env.cr.execute(
            "SELECT reloptions FROM pg_class WHERE oid = 'webhook_call_log'::regclass"
        )
        self.assertEqual(
            sorted(self.env.cr.fetchone()[0]),
            [
                "autovacuum_vacuum_insert_scale_factor=0.001",
                "autovacuum_vacuum_insert_threshold=1000",
            ],
        )
