# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tools.sql import column_exists, create_column


def pre_init_hook(env):
    """Keep GET working on the webhooks that exist before the install, as in core.

    Runs before the module's data (and demo webhooks) exist, so that only the
    rules created with core's Automation Rules are concerned.
    """
    cr = env.cr
    if not column_exists(cr, "base_automation", "webhook_allow_get"):
        create_column(cr, "base_automation", "webhook_allow_get", "boolean")
    cr.execute(
        "UPDATE base_automation SET webhook_allow_get = (trigger = %s)",
        ("on_webhook",),
    )
