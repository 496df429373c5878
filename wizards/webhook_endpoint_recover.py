# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Recover Dead Messages: send again, in order, what died since a date."""

from datetime import timedelta

from odoo import _, api, fields, models


def _yesterday(*_args):
    return fields.Datetime.now() - timedelta(days=1)


class WebhookEndpointRecover(models.TransientModel):
    """Ask since when the dead messages of an endpoint should be sent again."""

    _name = "webhook.endpoint.recover"
    _description = "Recover Dead Outgoing Webhook Messages"

    endpoint_id = fields.Many2one(
        "webhook.endpoint", required=True, readonly=True, ondelete="cascade"
    )
    since = fields.Datetime(
        required=True,
        default=_yesterday,
        help="The dead messages created since then are sent again, oldest "
        "first, with their webhook-id and body.",
    )
    dead_count = fields.Integer(string="Dead Messages", compute="_compute_dead_count")

    @api.depends("endpoint_id", "since")
    def _compute_dead_count(self):
        for wizard in self:
            if not wizard.endpoint_id or not wizard.since:
                wizard.dead_count = 0
                continue
            wizard.dead_count = self.env["webhook.outgoing.message"].search_count(
                wizard._get_dead_domain()
            )

    def _get_dead_domain(self):
        """Return the domain of the messages the wizard sends again."""
        self.ensure_one()
        return [
            ("endpoint_id", "=", self.endpoint_id.id),
            ("state", "=", "dead"),
            ("create_date", ">=", self.since),
        ]

    def action_recover(self):
        """Queue the dead messages again; say how many, and close."""
        self.ensure_one()
        count = self.endpoint_id.action_recover_dead(self.since)
        if count:
            message = _(
                "%(count)s dead messages of %(endpoint)s are queued again, in order.",
                count=count,
                endpoint=self.endpoint_id.name,
            )
        else:
            message = _(
                "%(endpoint)s has no dead message since then.",
                endpoint=self.endpoint_id.name,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Recover Dead Messages"),
                "message": message,
                "type": "success" if count else "info",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
