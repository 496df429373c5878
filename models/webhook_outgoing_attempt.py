# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Outgoing webhooks: one try of a message, as the receiver answered it."""

import json

from odoo import api, fields, models

from ..sender.http import MAX_RESPONSE_BODY
from .webhook_outgoing_message import TRIGGERS


class WebhookOutgoingAttempt(models.Model):
    _name = "webhook.outgoing.attempt"
    _description = "Outgoing Webhook Attempt"
    _order = "id desc"

    message_id = fields.Many2one(
        "webhook.outgoing.message", required=True, ondelete="cascade", index=True
    )
    endpoint_id = fields.Many2one(
        related="message_id.endpoint_id", store=True, index=True
    )
    event_type = fields.Char(related="message_id.event_type")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    url = fields.Char(string="URL")
    status_code = fields.Integer(help="0: no HTTP answer (see the error).")
    response_body = fields.Text(
        help="The beginning of the answer (at most 20,000 bytes)."
    )
    duration_ms = fields.Integer(string="Duration (ms)")
    error = fields.Char()
    trigger = fields.Selection(TRIGGERS, required=True, default="scheduled")
    request_headers = fields.Text(help="The headers sent, as JSON.")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            headers = vals.get("request_headers")
            if isinstance(headers, dict):
                vals["request_headers"] = json.dumps(headers, indent=2)
            body = vals.get("response_body")
            if body and len(body.encode()) > MAX_RESPONSE_BODY:
                cut = body.encode()[:MAX_RESPONSE_BODY]
                vals["response_body"] = cut.decode("utf-8", "ignore")
        return super().create(vals_list)
