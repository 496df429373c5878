# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""No mail leaves Odoo during a dry run of the webhook console."""

import logging
from email.utils import make_msgid

from odoo import models

from .base import DRY_RUN_CURSOR_ATTR

_logger = logging.getLogger(__name__)


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    def _webhook_get_dry_run(self):
        """Return the ChangeRecorder of the dry run of this cursor, or None."""
        return getattr(self.env.cr, DRY_RUN_CURSOR_ATTR, None)

    def connect(self, *args, **kwargs):
        """Open no SMTP connection during a dry run (as in test mode)."""
        if self._webhook_get_dry_run() is not None:
            return None
        return super().connect(*args, **kwargs)

    def send_email(self, message, *args, **kwargs):
        """Send nothing during a dry run: note the mail and return a fake id."""
        recorder = self._webhook_get_dry_run()
        if recorder is None:
            return super().send_email(message, *args, **kwargs)
        recipients = [
            str(message[header]) for header in ("To", "Cc", "Bcc") if message[header]
        ]
        recorder.mail_not_sent(str(message["Subject"] or ""), ", ".join(recipients))
        _logger.info(
            "Dry run of a webhook: mail %r to %s not sent",
            message["Subject"],
            recipients,
        )
        return message["Message-Id"] or make_msgid()
