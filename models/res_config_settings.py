# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    webhook_log_retention_days = fields.Integer(
        string="Webhook Log Retention (days)",
        config_parameter="webhook_automation.log_retention_days",
        default=30,
        help="Calls older than this are deleted every day. To keep them forever, "
        "set the system parameter webhook_automation.log_retention_days to 0.",
    )
    webhook_log_body_max_size = fields.Integer(
        string="Logged Body Size (bytes)",
        config_parameter="webhook_automation.log_body_max_size",
        default=65536,
        help="How much of a body Log Calls keeps; longer bodies are cut (and "
        "cannot be replayed).",
    )
    webhook_default_max_body_size = fields.Integer(
        string="Default Max Body Size (bytes)",
        config_parameter="webhook_automation.default_max_body_size",
        default=1048576,
        help="The body size limit of new webhooks.",
    )
    webhook_default_timestamp_tolerance = fields.Integer(
        string="Default Timestamp Tolerance (seconds)",
        config_parameter="webhook_automation.default_timestamp_tolerance",
        default=300,
        help="The timestamp tolerance of new webhooks (Stripe, Standard Webhooks).",
    )
    webhook_delivery_retention_days = fields.Integer(
        string="Delivery ID Retention (days)",
        config_parameter="webhook_automation.delivery_retention_days",
        default=30,
        help="How long a served delivery id is remembered: a repeat within this "
        "time is answered as a duplicate.",
    )
    webhook_retry_delay = fields.Integer(
        string="First Retry Delay (seconds)",
        config_parameter="webhook_automation.retry_delay",
        default=10,
        help="Asynchronous calls that meet a transient error are tried again "
        "after this delay, doubled after each failed attempt.",
    )
