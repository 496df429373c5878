# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Send Test Event: what a webhook.test event sent and what the receiver answered."""

import json

from odoo import _, api, fields, models


class WebhookEndpointTest(models.TransientModel):
    """The outcome of one test event, shown in a dialog."""

    _name = "webhook.endpoint.test"
    _description = "Outgoing Webhook Test Event"

    endpoint_id = fields.Many2one(
        "webhook.endpoint", required=True, readonly=True, ondelete="cascade"
    )
    outgoing_message_id = fields.Many2one(
        "webhook.outgoing.message", string="Message", readonly=True
    )
    message_ref = fields.Char(string="Message ID", readonly=True)
    url = fields.Char(string="URL", readonly=True)
    success = fields.Boolean(string="Delivered", readonly=True)
    status_code = fields.Integer(
        readonly=True, help="0: no HTTP answer (see the error)."
    )
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    error = fields.Char(readonly=True)
    request_headers = fields.Text(string="Headers Sent", readonly=True)
    body = fields.Text(string="Body Sent", readonly=True)
    response_body = fields.Text(string="Response", readonly=True)

    @api.model
    def _send_test_event(self, endpoint):
        """Send a test event to ``endpoint`` now; return the action showing it."""
        endpoint.ensure_one()
        result = endpoint.action_send_test_event()
        message = (
            self.env["webhook.outgoing.message"]
            .sudo()
            .search([("message_id", "=", result["message_id"])], limit=1)
        )
        wizard = self.create(self._prepare_values(endpoint, message, result))
        return wizard._get_action()

    @api.model
    def _prepare_values(self, endpoint, message, result):
        """Return the values of the dialog of ``result`` (action_send_test_event's)."""
        headers = result.get("request_headers") or {}
        if not isinstance(headers, str):
            headers = json.dumps(headers, indent=2)
        return {
            "endpoint_id": endpoint.id,
            "outgoing_message_id": message.id,
            "message_ref": result.get("message_id"),
            "url": endpoint.url,
            "success": result.get("success"),
            "status_code": result.get("status_code") or 0,
            "duration_ms": result.get("duration_ms") or 0,
            "error": result.get("error") or False,
            "request_headers": headers,
            "body": result.get("body") or "",
            "response_body": result.get("response_body") or "",
        }

    def _get_action(self):
        """Return the action opening this dialog."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Test Event"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_send_again(self):
        """Send another test event to the same endpoint."""
        self.ensure_one()
        return self._send_test_event(self.endpoint_id)

    def action_open_message(self):
        """Open the stored message of the test event, with its attempt."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "webhook.outgoing.message",
            "res_id": self.outgoing_message_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
