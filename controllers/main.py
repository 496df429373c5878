# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.http import request, route

from odoo.addons.base_automation.controllers.main import BaseAutomationController


class WebhookController(BaseAutomationController):
    """Serve core's /web/hook/<secret> URLs with the webhook dispatcher."""

    # core's handler (type http, which parses the body first) is no route
    # any more: call_webhook() serves its URLs
    call_webhook_http = None

    @route(
        # <path:...> also takes unknown URLs with more segments, which the
        # http dispatcher would otherwise parse (and answer) itself
        ["/web/hook/", "/web/hook/<path:rule_uuid>"],
        type="webhook",
        auth="public",
        # any method reaches the pipeline, which answers 405 in JSON itself
        methods=None,
        csrf=False,
        save_session=False,
    )
    def call_webhook(self, rule_uuid=""):
        """Run the webhook pipeline of base.automation and answer in JSON."""
        call = request.env["base.automation"]._webhook_handle_request(
            rule_uuid, request.httprequest
        )
        return call.make_response()
