# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.http import request

from ..receiver.payload import is_form_mimetype

WEBHOOK_PATH_PREFIX = "/web/hook/"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        """Keep a form body as sent, within the webhook's limit, before Odoo parses it.

        Signatures cover the raw bytes, which parsing the form consumes.
        """
        result = super()._pre_dispatch(rule, args)
        httprequest = request.httprequest
        if rule.endpoint.routing.get("webhook_automation") and is_form_mimetype(
            httprequest.mimetype
        ):
            rule_sudo = request.env["base.automation"]._webhook_get_rule(
                args.get("rule_uuid")
            )
            if rule_sudo:
                limit = rule_sudo._webhook_get_max_body_size()
                httprequest.max_content_length = limit
                length = httprequest.content_length
                if length is not None and length <= limit:
                    httprequest.get_data(cache=True, parse_form_data=False)
        return result

    @classmethod
    def _handle_error(cls, exception):
        """Answer webhook calls in JSON even when Odoo itself failed them."""
        if request.httprequest.path.startswith(WEBHOOK_PATH_PREFIX):
            return request.env["base.automation"]._webhook_handle_error(
                request.httprequest, exception
            )
        return super()._handle_error(exception)
