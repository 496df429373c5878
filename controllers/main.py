# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.http import request, route

from odoo.addons.base_automation.controllers.main import BaseAutomationController

# every method reaches the pipeline, which answers 405 in JSON itself
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]


class WebhookController(BaseAutomationController):
    """Replace core's /web/hook/<uuid> handler, keeping its URLs."""

    @route(
        ["/web/hook/<string:rule_uuid>"],
        type="http",
        auth="public",
        methods=ALL_METHODS,
        csrf=False,
        save_session=False,
        webhook_automation=True,
    )
    def call_webhook_http(self, rule_uuid, **kwargs):
        """Run the webhook pipeline of base.automation and answer in JSON."""
        call = request.env["base.automation"]._webhook_handle_request(
            rule_uuid, request.httprequest
        )
        return call.make_response()
