# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tools.sql import column_exists, create_column


def pre_init_hook(env):
    """Keep the webhooks that exist before the install working as in core.

    GET stays accepted, and no time limit applies to them (new webhooks get
    one). Runs before the module's data (and demo webhooks) exist, so that
    only the rules created with core's Automation Rules are concerned.
    """
    cr = env.cr
    if not column_exists(cr, "base_automation", "webhook_allow_get"):
        create_column(cr, "base_automation", "webhook_allow_get", "boolean")
    cr.execute(
        "UPDATE base_automation SET webhook_allow_get = (trigger = %s)",
        ("on_webhook",),
    )
    keep_existing_webhooks_unlimited(cr)


def keep_existing_webhooks_unlimited(cr):
    """Create the time limit's column with 0 (none) for the existing webhooks.

    The ORM would fill the new column with the default of new webhooks (30
    seconds), which could break a webhook that used to run longer. Rules
    with another trigger get that default: they become new webhooks if
    they ever become webhooks.
    """
    if column_exists(cr, "base_automation", "webhook_time_limit"):
        return
    create_column(cr, "base_automation", "webhook_time_limit", "int4")
    cr.execute(
        "UPDATE base_automation SET webhook_time_limit = "
        "CASE WHEN trigger = %s THEN 0 ELSE 30 END",
        ("on_webhook",),
    )
