# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.http import request

from .base_automation import FORM_MIMETYPES

WEBHOOK_PATH_PREFIX = "/web/hook/"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        """Bound form bodies by the webhook's limit before Odoo parses them."""
        result = super()._pre_dispatch(rule, args)
        if (
            rule.endpoint.routing.get("webhook_automation")
            and request.httprequest.mimetype in FORM_MIMETYPES
        ):
            rule_sudo = request.env["base.automation"]._webhook_get_rule(
                args.get("rule_uuid")
            )
            if rule_sudo:
                request.httprequest.max_content_length = (
                    rule_sudo._webhook_get_max_body_size()
                )
        return result

    @classmethod
    def _handle_error(cls, exception):
        """Answer webhook calls in JSON even when Odoo itself failed them."""
        if request.httprequest.path.startswith(WEBHOOK_PATH_PREFIX):
            return request.env["base.automation"]._webhook_handle_error(
                request.httprequest, exception
            )
        return super()._handle_error(exception)
