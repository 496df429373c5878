# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Logging filters that keep webhook secrets out of the server log.

- the secret part of webhook URLs in the HTTP access log (``werkzeug``);
- the values of SQL statements touching signing secrets (``odoo.sql_db``
  prints every query with its values at debug level, and failed queries at
  error level): their string literals become ``'***'``.

>>> record = logging.LogRecord("werkzeug", 20, "", 0, '"%s" 200', ("POST /web/hook/abc HTTP/1.1",), None)
>>> WebhookUrlFilter().filter(record), record.getMessage()
(True, '"POST /web/hook/*** HTTP/1.1" 200')
"""  # noqa: E501

import logging
import re

SECRET_COLUMNS = ("webhook_signing_secret", "webhook_previous_signing_secret")


class WebhookUrlFilter(logging.Filter):
    """Hide webhook secrets from the HTTP access log lines."""

    pattern = re.compile(r"(/web/hook/)[^\s/?\"]+")

    def filter(self, record):
        if record.args and any("/web/hook/" in str(arg) for arg in record.args):
            record.msg = self.pattern.sub(r"\1***", record.getMessage())
            record.args = ()
        return True


class SigningSecretSqlFilter(logging.Filter):
    """Mask the string values of SQL statements that touch signing secrets."""

    literal = re.compile(r"'(?:[^']|'')*'")

    def filter(self, record):
        args = record.args if isinstance(record.args, tuple) else ()
        texts = [
            arg.decode(errors="replace") if isinstance(arg, bytes) else arg
            for arg in args
        ]
        if any(
            isinstance(text, str) and any(column in text for column in SECRET_COLUMNS)
            for text in texts
        ):
            record.args = tuple(
                self.literal.sub("'***'", text) if isinstance(text, str) else text
                for text in texts
            )
        return True


def install_log_filters():
    """Attach the filters to their loggers, once."""
    for logger_name, filter_class in (
        ("werkzeug", WebhookUrlFilter),
        ("odoo.sql_db", SigningSecretSqlFilter),
    ):
        logger = logging.getLogger(logger_name)
        if not any(isinstance(f, filter_class) for f in logger.filters):
            logger.addFilter(filter_class())
