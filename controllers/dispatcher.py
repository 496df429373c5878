# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The dispatcher of webhook routes (``type="webhook"``).

Odoo's ``http`` dispatcher parses forms and multipart bodies before the
controller runs, whatever their size, and answers errors in HTML. Webhook
routes get a dispatcher of their own instead, as OCA's ``fastapi`` does for
its endpoints: it leaves the body unread (the pipeline reads it, within the
webhook's limit, once the caller passed the checks that need no body) and
answers every error, its own and Odoo's, in the webhook's JSON contract.
"""

from odoo.http import Dispatcher

from ..receiver.body import get_framing, read_body


class WebhookDispatcher(Dispatcher):
    """Dispatch ``type="webhook"`` routes without reading their body."""

    routing_type = "webhook"

    @classmethod
    def is_compatible_with(cls, request):
        """Take any request: the pipeline answers what it cannot handle."""
        return True

    def dispatch(self, endpoint, args):
        """Call the endpoint with the route's arguments only: no body parsing."""
        self.request.params = dict(args)
        if self.request.db:
            return self.request.registry["ir.http"]._dispatch(endpoint)
        return endpoint(**self.request.params)

    def read_body(self, limit):
        """Return the body, reading at most ``limit`` + 1 bytes of it.

        Raises ``receiver.body.BodyTooLarge`` past the limit. The bytes read
        are what werkzeug's ``get_data()`` returns from then on (core's code
        actions parse the payload with it), and what a replay of the request
        by Odoo after a serialization failure reads again.
        """
        # the WSGI request: Odoo's wrapper hides its input stream (as Odoo's
        # own Request.reroute() does, reach it through the wrapper)
        wsgi_request = self.request.httprequest._HTTPRequest__wrapped
        body = getattr(wsgi_request, "_cached_data", None)
        if body is None:
            environ = wsgi_request.environ
            body = read_body(environ, get_framing(environ), limit)
            wsgi_request._cached_data = body
        return body

    def handle_error(self, exc):
        """Answer any error in the webhook's JSON contract, and log it."""
        return self.request.env["base.automation"]._webhook_handle_error(
            self.request.httprequest, exc
        )
