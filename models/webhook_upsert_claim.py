# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# a claim only matters to the transactions that ran beside its creator's
CLAIM_RETENTION = timedelta(hours=1)


class WebhookUpsertClaim(models.Model):
    """The key of a record a Create/Update from Payload action is creating.

    Odoo runs requests in REPEATABLE READ: a call that searched for the key
    before another one committed its new record cannot see that record, even
    after waiting for a lock. So the creator first claims the key under a
    unique index. A concurrent claim of the same key waits for the first
    transaction and, once it committed, fails with a serialization error:
    Odoo (or queue_job) then runs the loser again in a fresh transaction,
    which finds the record and updates it.
    """

    _name = "webhook.upsert.claim"
    _description = "Webhook Upsert Claim"
    _log_access = False

    res_model = fields.Char(string="Model", required=True, readonly=True)
    field_name = fields.Char(string="Field", required=True, readonly=True)
    key = fields.Char(required=True, readonly=True)
    claim_date = fields.Datetime(required=True, readonly=True, index=True)

    _sql_constraints = [
        (
            "key_unique",
            "UNIQUE(res_model, field_name, key)",
            "A key is claimed once.",
        ),
    ]

    @api.model
    def _claim(self, res_model, field_name, key):
        """Claim ``key`` of ``res_model.field_name`` before creating its record.

        Raises a serialization failure (the transaction is then replayed)
        when a concurrent transaction claimed it first. A claim left by a
        transaction that committed long ago is taken over: its record was
        deleted, or its key changed.
        """
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO webhook_upsert_claim
                    (res_model, field_name, key, claim_date)
                VALUES (%s, %s, %s, now() at time zone 'UTC')
                ON CONFLICT (res_model, field_name, key)
                DO UPDATE SET claim_date = EXCLUDED.claim_date
                """,
                res_model,
                field_name,
                key,
            )
        )

    @api.autovacuum
    def _gc_claims(self):
        """Delete the claims of transactions that ended long ago."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM webhook_upsert_claim WHERE claim_date < %s",
                fields.Datetime.now() - CLAIM_RETENTION,
            )
        )
