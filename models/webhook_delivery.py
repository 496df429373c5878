# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

DEFAULT_DELIVERY_RETENTION_DAYS = 30


class WebhookDelivery(models.Model):
    """A delivery id a webhook has served, with its answer, for idempotency.

    Rows are claimed and settled with SQL in the call's transaction: the
    unique index on (webhook, delivery id) makes concurrent calls with the
    same id wait for the first one, which either keeps its answer (success,
    or accepted) or releases the id (failure).
    """

    _name = "webhook.delivery"
    _description = "Webhook Delivery"
    _order = "id desc"
    _rec_name = "delivery_id"

    automation_id = fields.Many2one(
        "base.automation",
        string="Webhook",
        required=True,
        ondelete="cascade",
        readonly=True,
    )
    delivery_id = fields.Char(string="Delivery ID", required=True, readonly=True)
    request_id = fields.Char(string="First Request ID", readonly=True)
    status_code = fields.Integer(string="Status", readonly=True)
    response_body = fields.Text(string="Response", readonly=True)
    # the purge deletes the oldest rows by creation date
    create_date = fields.Datetime(readonly=True, index=True)

    _sql_constraints = [
        (
            "delivery_unique",
            "UNIQUE(automation_id, delivery_id)",
            "A webhook serves each delivery id once.",
        ),
    ]

    @api.model
    def _claim(self, automation_id, delivery_id, request_id):
        """Claim ``delivery_id`` for a call; return the first call's answer if taken.

        Returns None when the id is claimed by this call, else a dict with the
        ``status``, ``response`` and ``request_id`` of the call that has it.
        """
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO webhook_delivery (automation_id, delivery_id,
                    request_id, create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, %s, %s, now() at time zone 'UTC',
                    %s, now() at time zone 'UTC')
                ON CONFLICT (automation_id, delivery_id) DO NOTHING
                RETURNING id
                """,
                automation_id,
                delivery_id,
                request_id,
                self.env.uid,
                self.env.uid,
            )
        )
        if self.env.cr.fetchone():
            return None
        self.env.cr.execute(
            SQL(
                """
                SELECT request_id, status_code, response_body
                  FROM webhook_delivery
                 WHERE automation_id = %s AND delivery_id = %s
                """,
                automation_id,
                delivery_id,
            )
        )
        first_request_id, status, response = self.env.cr.fetchone()
        return {
            "request_id": first_request_id,
            "status": status or 200,
            "response": json.loads(response or "{}"),
        }

    @api.model
    def _store_answer(self, automation_id, delivery_id, status, response):
        """Keep the answer of the call that claimed ``delivery_id``."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE webhook_delivery
                   SET status_code = %s, response_body = %s
                 WHERE automation_id = %s AND delivery_id = %s
                """,
                status,
                json.dumps(response),
                automation_id,
                delivery_id,
            )
        )

    @api.model
    def _release(self, automation_id, delivery_id):
        """Forget ``delivery_id``: the sender may send it again, and it runs again."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM webhook_delivery WHERE automation_id = %s "
                "AND delivery_id = %s",
                automation_id,
                delivery_id,
            )
        )

    @api.model
    def _get_retention_days(self):
        """Return how many days delivery ids are kept (system parameter)."""
        return self._webhook_get_int_param(
            "webhook_automation.delivery_retention_days",
            DEFAULT_DELIVERY_RETENTION_DAYS,
        )

    @api.model
    def _purge_old_deliveries(self, batch_size):
        """Delete delivery ids older than the retention period; return how many."""
        days = self._get_retention_days()
        if days <= 0:
            return 0
        limit_date = fields.Datetime.now() - timedelta(days=days)
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM webhook_delivery WHERE id IN (
                    SELECT id FROM webhook_delivery WHERE create_date < %s
                     LIMIT %s)
                """,
                limit_date,
                batch_size,
            )
        )
        return self.env.cr.rowcount
