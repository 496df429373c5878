# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Test helpers: a real Odoo HTTP server, called with ``requests``.

``WebhookCase`` is the base class of the webhook tests. The Odoo server runs
in the test process (``pytest --odoo-http``) and serves the calls inside the
test's transaction, so that every test starts from the same database. Use:

- :meth:`WebhookCase._create_webhook` to create a rule with its actions;
- :meth:`WebhookCase._upsert_action` for a Create/Update from Payload action;
- :meth:`WebhookCase._call` to send a request as an external system would;
- :meth:`WebhookCase.assertWebhookOk` / :meth:`WebhookCase.assertWebhookError`
  to check the answer;
- :meth:`WebhookCase._last_log` to read the log of the last call;
- :meth:`WebhookCase._capture_log_lines` to read what the server logs;
- :meth:`WebhookCase._run_jobs` to run the jobs of async calls as queue_job's
  runner would, in the test's transaction.

``WebhookTransactionCase`` has the same helpers, without a server: the
base class of tests of logic that needs no HTTP call (forms, constraints,
wizards, access rights), which run faster.

Tests that need real, separate Odoo servers (several workers, the job runner,
a crash) use the helpers of ``tests/server_harness.py`` instead.
"""

import logging
import traceback
from contextlib import contextmanager

import requests

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

# the seed's target record expression and code (Odoo documentation, verbatim)
SEED_TARGET_RECORD = "model.env[payload.get('model')].browse(int(payload.get('id')))"
SEED_CREATE_CONTACT_CODE = """\
# variables to retrieve and hold data from the payload
contact_name = payload.get('name')
contact_email = payload.get('email')
contact_phone = payload.get('phone')
# a Python function to turn the variables into a contact in Odoo
if contact_name and contact_email:
    new_partner = env['res.partner'].create({
        'name': contact_name,
        'email': contact_email,
        'phone': contact_phone,
        'company_type':'person',
        'customer_rank': 1,
    })
# an error message for missing required data in the payload
else:
    raise ValueError("Missing required fields: 'name' and 'email'")
"""


def _mapping_commands(env, model, mappings):
    """Return the commands creating ``mappings`` (see upsert_action_values)."""
    commands = []
    for sequence, mapping in enumerate(mappings):
        mapping = dict(mapping)
        field = env["ir.model.fields"]._get(model, mapping.pop("field"))
        lines = mapping.pop("lines", ())
        relation_field = mapping.pop("relation_field", None)
        if relation_field:
            mapping["relation_field_id"] = (
                env["ir.model.fields"]._get(field.relation, relation_field).id
            )
        if lines:
            mapping["child_ids"] = _mapping_commands(env, field.relation, lines)
        commands.append(
            Command.create({"sequence": sequence, "field_id": field.id, **mapping})
        )
    return commands


def upsert_action_values(env, model, mappings=(), match=None, **values):
    """Return the values of a Create/Update from Payload action on ``model``.

    ``mappings``: dicts of ``webhook.payload.mapping`` values where ``field``
    is the field's name, ``relation_field`` the related field's name and
    ``lines`` the child mappings of a one2many field. ``match``: ``(field
    name, payload path)`` of the record to update.
    """
    action = {
        "state": "webhook_upsert",
        "crud_model_id": env["ir.model"]._get(model).id,
        "webhook_mapping_ids": _mapping_commands(env, model, mappings),
    }
    if match:
        field_name, path = match
        action["webhook_match_field_id"] = (
            env["ir.model.fields"]._get(model, field_name).id
        )
        action["webhook_match_path"] = path
    action.update(values)
    return action


class WebhookHelpers:
    """Helpers of the webhook tests: rules, HTTP calls, assertions, logs, jobs."""

    def _create_webhook(self, model="res.partner", actions=(), **values):
        """Create an "On webhook" rule on ``model`` with the given server actions.

        ``actions`` are dicts of ``ir.actions.server`` values; the model and
        usage are filled in. Other keyword arguments are rule values.
        """
        model_record = self.env["ir.model"]._get(model)
        rule = self.env["base.automation"].create(
            {
                "name": values.pop("name", f"Test webhook on {model}"),
                "model_id": model_record.id,
                "trigger": "on_webhook",
                **values,
            }
        )
        for action_values in actions:
            self.env["ir.actions.server"].create(
                {
                    "name": "Test action",
                    "model_id": model_record.id,
                    "usage": "base_automation",
                    "base_automation_id": rule.id,
                    **action_values,
                }
            )
        return rule

    def _code_action(self, code):
        """Return the values of an Execute Code action."""
        return {"state": "code", "code": code}

    def _upsert_action(self, model="res.partner", mappings=(), match=None, **values):
        """Return the values of a Create/Update from Payload action on ``model``.

        ``mappings`` are dicts of ``webhook.payload.mapping`` values whose
        ``field`` is a field name (``lines``: the child mappings of a one2many
        line, dicts alike); ``match`` is ``(field name, payload path)``. Other
        keyword arguments are action values.
        """
        return upsert_action_values(self.env, model, mappings, match, **values)

    def _url(self, rule):
        """Return the public URL of ``rule``, as shown in its form."""
        return rule.url

    def _call(self, rule_or_url, method="POST", **kwargs):
        """Send a request to a webhook with ``requests`` and return the response.

        ``rule_or_url`` is a rule or a URL; ``kwargs`` go to ``requests``
        (``json=``, ``data=``, ``params=``, ``headers=``...).
        """
        url = rule_or_url if isinstance(rule_or_url, str) else self._url(rule_or_url)
        self.env.flush_all()
        kwargs.setdefault("timeout", 30)
        response = self.http.request(method, url, **kwargs)
        # the server wrote through the same transaction: forget cached values
        self.env.invalidate_all()
        return response

    def assertWebhookOk(self, response):
        """Assert the call succeeded with Odoo's documented answer."""
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json; charset=utf-8"
        )
        body = response.json()
        self.assertEqual(body["status"], "ok")
        return body

    def assertWebhookError(self, response, status, code, message=None):
        """Assert the call failed with ``status`` and error ``code`` in JSON."""
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(
            response.headers["Content-Type"].startswith("application/json"),
            response.headers["Content-Type"],
        )
        body = response.json()
        self.assertEqual(body["status"], "error")
        self.assertEqual(body["error"]["code"], code)
        self.assertTrue(body["error"]["message"])
        if message is not None:
            self.assertEqual(body["error"]["message"], message)
        return body

    def _last_log(self, rule):
        """Return the newest log entry of ``rule``."""
        return self.env["webhook.call.log"].search(
            [("automation_id", "=", rule.id)], limit=1
        )

    @contextmanager
    def _capture_log_lines(self, logger_name, level=logging.INFO):
        """Collect the formatted messages ``logger_name`` emits, in any thread."""
        lines = []

        class ListHandler(logging.Handler):
            def emit(self, record):
                lines.append(record.getMessage())

        logger = logging.getLogger(logger_name)
        handler, previous_level = ListHandler(), logger.level
        logger.addHandler(handler)
        logger.setLevel(level)
        try:
            yield lines
        finally:
            logger.removeHandler(handler)
            logger.setLevel(previous_level)

    def _run_jobs(self):
        """Run the pending jobs of async webhook calls once, as the runner would.

        A job that asks to be retried goes back to pending (its ``eta`` is
        ignored: call this again to run the next attempt); a job that raises
        anything else is failed. Returns the jobs that were run.
        """
        self.env.flush_all()
        records = self.env["queue.job"].search(
            [
                ("state", "=", "pending"),
                ("model_name", "=", "base.automation"),
                ("method_name", "=", "_webhook_perform_call"),
            ]
        )
        for record in records:
            job = Job.load(self.env, record.uuid)
            job.set_started()
            job.store()
            try:
                with self.env.cr.savepoint():
                    job.perform()
                    job.set_done()
                    job.store()
            except RetryableJobError as exc:
                job.postpone(result=str(exc), seconds=exc.seconds)
                job.set_pending(reset_retry=False)
                job.store()
            except Exception as exc:  # pylint: disable=broad-except
                job.set_failed(
                    exc_info=traceback.format_exc(),
                    exc_name=type(exc).__name__,
                    exc_message=str(exc),
                )
                job.store()
        self.env.flush_all()
        self.env.invalidate_all()
        return records


@tagged("post_install", "-at_install")
class WebhookCase(WebhookHelpers, HttpCase):
    """Base class of webhook tests calling the test's HTTP server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.http = requests.Session()
        cls.addClassCleanup(cls.http.close)


@tagged("post_install", "-at_install")
class WebhookTransactionCase(WebhookHelpers, TransactionCase):
    """Base class of webhook tests of logic without HTTP (no server: faster).

    Not for code that opens a cursor of its own (dry runs, refusals, the
    limiters of a call): outside HttpCase's test mode, that cursor is a real
    one, which does not see the test's data and commits.
    """
