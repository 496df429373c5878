# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The form of a webhook action to an endpoint: the exact request it sends."""

from odoo import api, fields, models

from ..sender import ssrf


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    webhook_sample_request = fields.Text(
        string="Sample Request",
        compute="_compute_webhook_sample_request",
        help="The request sent to the endpoint for a record of the model: "
        "its headers (with a sample message id, signed now) and its exact body.",
    )

    @api.depends(
        "state",
        "model_id",
        "name",
        "webhook_endpoint_id",
        "webhook_field_ids",
        "webhook_event_type",
        "webhook_payload_style",
    )
    def _compute_webhook_sample_request(self):
        for action in self:
            if (
                action.state != "webhook"
                or not action.model_id
                or not action.webhook_endpoint_id
            ):
                action.webhook_sample_request = False
                continue
            endpoint_sudo = action.sudo().webhook_endpoint_id
            sample = action._get_sample_request()
            body = sample["body"]
            try:
                target = ssrf.parse_url(endpoint_sudo.url)
                lines = [
                    f"POST {target.path} HTTP/1.1",
                    f"Host: {target.host_header}",
                ]
            except ssrf.UnsafeUrl:
                lines = [f"POST {endpoint_sudo.url}"]
            lines += [f"{name}: {value}" for name, value in sample["headers"].items()]
            lines.append(f"Content-Length: {len(body.encode())}")
            action.webhook_sample_request = "\n".join(lines) + "\n\n" + body
