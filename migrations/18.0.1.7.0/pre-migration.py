# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.7.0: existing webhooks keep running without time limit.

New webhooks get a time limit of 30 seconds; the column is created here,
before the ORM adds it with that default, so that existing webhooks get 0.
"""

from odoo.addons.webhook_automation.hooks import keep_existing_webhooks_unlimited


def migrate(cr, version):
    if not version:
        return
    keep_existing_webhooks_unlimited(cr)
