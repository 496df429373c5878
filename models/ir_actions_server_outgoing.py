# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Core's "Send Webhook Notification" action, sent to an endpoint after commit.

With an endpoint, the action does not POST at once as core does: it notes
the record in the transaction; just before the transaction commits (a
precommit hook of the cursor) the body is built from the record's state
then, and the message is stored with its queue_job job, in the same
transaction. A rollback leaves neither; the job runner only sees the job
once the transaction is committed. Without an endpoint, core's behaviour is
unchanged.
"""

import json
import re
import time
from datetime import UTC, datetime

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.ir_actions import WEBHOOK_SAMPLE_VALUES

from ..sender.message import new_message_id

# cursor precommit data: (action id, model, record id) -> the event to send
PRECOMMIT_KEY = "webhook_automation.outgoing_events"
# cursor postcommit data (kept until commit or rollback): the same key -> the
# id of the message created by an earlier flush of this transaction
TRANSACTION_KEY = "webhook_automation.outgoing_messages"
EVENT_TYPE_PATTERN = re.compile(r"^[A-Za-z0-9_.]+$")
# the event of each trigger of base_automation (the others: "<trigger without on_>")
TRIGGER_EVENTS = {
    "on_create": "created",
    "on_write": "updated",
    "on_unlink": "deleted",
}


def _iso_timestamp(moment):
    """Return an aware datetime as ISO 8601 UTC: 2026-01-02T03:04:05.000006Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    webhook_endpoint_id = fields.Many2one(
        "webhook.endpoint",
        string="Endpoint",
        ondelete="restrict",
        index="btree_not_null",
        help="Send signed messages to this endpoint after the change is "
        "committed, retried until delivered. Empty: POST to the Webhook URL "
        "at once, as Odoo does.",
    )
    webhook_event_type = fields.Char(
        string="Event Type",
        help="The type of the events sent (letters, digits, _ and .). Empty: "
        "<model>.created, .updated, .deleted... after the rule's trigger, "
        "e.g. sale.order.updated.",
    )
    webhook_payload_style = fields.Selection(
        [("odoo", "Odoo"), ("standard", "Standard Webhooks")],
        string="Payload Style",
        default="odoo",
        help="Odoo: the record's id, model, the action's name and the chosen "
        'fields, as Odoo sends them. Standard Webhooks: {"type", "timestamp", '
        '"data"}, data holding the same.',
    )

    @api.constrains("webhook_event_type")
    def _check_webhook_event_type(self):
        for action in self:
            event_type = action.webhook_event_type
            if event_type and not EVENT_TYPE_PATTERN.match(event_type):
                raise ValidationError(
                    _(
                        "The event type %(type)s of %(name)s may only hold "
                        "letters, digits, underscores and dots.",
                        type=event_type,
                        name=action.name,
                    )
                )

    @api.depends("webhook_endpoint_id", "webhook_payload_style", "webhook_event_type")
    def _compute_webhook_sample_payload(self):
        """With an endpoint, the sample is the exact body sent for a sample record."""
        with_endpoint = self.filtered(
            lambda action: action.state == "webhook" and action.webhook_endpoint_id
        )
        result = super(
            IrActionsServer, self - with_endpoint
        )._compute_webhook_sample_payload()
        for action in with_endpoint:
            action.webhook_sample_payload = action._get_sample_request()["body"]
        return result

    # ------------------------------------------------------------------
    # Running the action: note the event
    # ------------------------------------------------------------------

    def run(self):
        """Skip the endpoint actions that already noted their record's event.

        Core's automation rules run an action again for one change when
        recomputations trigger them (up to three times per record for a
        name change): the event is noted once per transaction anyway, so
        the later runs skip the evaluation context and the access checks
        that ``run()`` builds each time.
        """
        noted = self._webhook_get_noted_actions()
        if not noted:
            return super().run()
        remaining = self - noted
        return super(IrActionsServer, remaining).run() if remaining else False

    def _webhook_get_noted_actions(self):
        """Return the actions whose events of the active records are noted.

        Only endpoint actions note events: no field of the actions is read.
        """
        events = self.env.cr.precommit.data.get(PRECOMMIT_KEY)
        if not events:
            return self.browse()
        context = self.env.context
        model_name = context.get("active_model")
        active_ids = context.get("active_ids") or [context.get("active_id")]
        if not model_name or not all(active_ids):
            return self.browse()
        return self.browse(
            action_id
            for action_id in self.ids
            if all((action_id, model_name, rid) in events for rid in active_ids)
        )

    def _run_action_webhook(self, eval_context=None):
        """Note an event for the endpoint; without one, run core's action."""
        if not self.webhook_endpoint_id:
            return super()._run_action_webhook(eval_context=eval_context)
        record = self.env[self.model_id.model].browse(self.env.context.get("active_id"))
        if not record:
            return None
        self._webhook_note_event(record)
        return None

    def _webhook_get_event_type(self, record):
        """Return the event type of ``record`` (the field, or after the trigger)."""
        self.ensure_one()
        if self.webhook_event_type:
            return self.webhook_event_type
        trigger = self.base_automation_id.trigger if self.base_automation_id else False
        if trigger == "on_create_or_write":
            context = self.env.context
            created = "old_values" in context and context["old_values"] is None
            event = "created" if created else "updated"
        elif trigger:
            event = TRIGGER_EVENTS.get(trigger, trigger.removeprefix("on_"))
        else:
            event = "manual"
        return f"{record._name}.{event}"

    def _webhook_note_event(self, record):
        """Keep the event of ``record`` for the precommit hook (once per record)."""
        self.ensure_one()
        precommit = self.env.cr.precommit
        if PRECOMMIT_KEY not in precommit.data:
            precommit.add(self.env["ir.actions.server"]._webhook_flush_events)
        events = precommit.data.setdefault(PRECOMMIT_KEY, {})
        key = (self.id, record._name, record.id)
        event_type = self._webhook_get_event_type(record)
        event = events.get(key)
        if event is None:
            event = events[key] = {
                "action": self,
                "record": record,
                "event_type": event_type,
                "timestamp": datetime.now(UTC),
                "body": None,
            }
        elif event_type.endswith(".created"):
            event["event_type"] = event_type  # created, then updated: created
        if event_type.endswith(".deleted"):
            # the record is gone at commit: its body is its state now
            event["event_type"] = event_type
            event["body"] = self._webhook_prepare_body(
                record, event_type, event["timestamp"]
            )
            self.env["webhook.outgoing.message"]._check_body_size(event["body"])

    # ------------------------------------------------------------------
    # Before commit: build and store the messages
    # ------------------------------------------------------------------

    @api.model
    def _webhook_flush_events(self):
        """Store the messages of the noted events and queue their jobs (precommit).

        A transaction that flushes before it commits (a savepoint) comes here
        more than once: a message stored by an earlier flush is updated, not
        sent twice.
        """
        events = self.env.cr.precommit.data.pop(PRECOMMIT_KEY, {})
        if not events:
            return
        created = self.env.cr.postcommit.data.setdefault(TRANSACTION_KEY, {})
        message_model = self.env["webhook.outgoing.message"].sudo()
        read_values = self._webhook_read_event_records(events)
        new_keys, vals_list = [], []
        for key, event in events.items():
            action, record = event["action"], event["record"]
            body = event["body"]
            if body is None:
                values = read_values.get((action.id, record.id))
                if values is None:
                    continue  # deleted before commit: nothing to tell
                body = action._webhook_prepare_body(
                    record, event["event_type"], event["timestamp"], values
                )
            message_model._check_body_size(body)
            earlier = message_model.browse(created.get(key)).exists()
            if earlier and earlier.state in ("pending", "paused"):
                earlier.write(
                    action._webhook_prepare_update_values(earlier, event, body)
                )
                continue
            values = action._webhook_prepare_message_values(record, event, body)
            new_keys.append(key)
            vals_list.append(values)
        messages = message_model._create_new(vals_list)
        for key, message in zip(new_keys, messages, strict=True):
            created[key] = message.id
        # the precommit hooks run after the last flush: write everything now
        self.env.flush_all()

    @api.model
    def _webhook_read_event_records(self, events):
        """Return {(action id, record id): fields read} of the events' records.

        The records that still exist, read with one ``read()`` per action,
        not one per record: a write on 100 records reads them at once.
        """
        by_action = {}
        for event in events.values():
            if event["body"] is None:
                by_action.setdefault(event["action"], []).append(event["record"])
        read_values = {}
        for action, records in by_action.items():
            records = records[0].browse([record.id for record in records]).exists()
            field_names = action.sudo().webhook_field_ids.mapped("name")
            rows = records.read(field_names, load=None) if field_names else []
            by_id = {row["id"]: row for row in rows}
            for record in records:
                read_values[action.id, record.id] = by_id.get(record.id, {})
        return read_values

    def _webhook_prepare_message_values(self, record, event, body):
        """Return the values of the message of ``event``."""
        self.ensure_one()
        action_sudo = self.sudo()
        endpoint = action_sudo.webhook_endpoint_id
        sending = endpoint.active and endpoint.state == "enabled"
        return {
            "endpoint_id": endpoint.id,
            "action_id": self.id,
            "event_type": event["event_type"],
            "res_model": record._name,
            "res_id": record.id,
            "body": body,
            "state": "pending" if sending else "paused",
        }

    def _webhook_prepare_update_values(self, message, event, body):
        """Return the new values of a message stored earlier in the transaction."""
        self.ensure_one()
        event_type = message.event_type
        if event["event_type"].endswith((".created", ".deleted")):
            event_type = event["event_type"]
        return {"body": body, "event_type": event_type}

    # ------------------------------------------------------------------
    # Bodies
    # ------------------------------------------------------------------

    def _webhook_prepare_payload(self, record, read_values=None):
        """Return the data of ``record``: what core's action sends.

        ``read_values``: the record's fields read already, if they are.
        """
        self.ensure_one()
        values = {
            "_model": self.model_id.model,
            "_id": record.id or 1,
            "_action": f"{self.name}(#{self.id})",
        }
        if not self.webhook_field_ids:
            return values
        if record:
            if read_values is None:
                field_names = self.webhook_field_ids.mapped("name")
                read_values = record.read(field_names, load=None)[0]
            values.update(read_values)
            return values
        # a sample of a model without records: core's sample values
        values["id"] = 1
        for field in self.webhook_field_ids:
            values[field.name] = WEBHOOK_SAMPLE_VALUES.get(
                field.ttype, WEBHOOK_SAMPLE_VALUES[None]
            )
        return values

    def _webhook_prepare_body(self, record, event_type, timestamp, read_values=None):
        """Return the body (JSON text) of the event of ``record``.

        ``read_values``: the record's fields read already, if they are.
        """
        self.ensure_one()
        payload = self._webhook_prepare_payload(record, read_values)
        if self.webhook_payload_style == "standard":
            data = json.loads(json.dumps(payload, sort_keys=True, default=str))
            document = {
                "type": event_type,
                "timestamp": _iso_timestamp(timestamp),
                "data": data,
            }
            return json.dumps(document, default=str)
        return json.dumps(payload, sort_keys=True, default=str)

    def _get_sample_request(self, record=None):
        """Return the body and headers that would be sent for ``record``.

        ``record`` defaults to a record of the model, as core's sample does;
        the headers carry a sample message id and the current time.
        """
        self.ensure_one()
        action_sudo = self.sudo()
        model = self.env[self.model_id.model].with_context(active_test=False)
        if record is None:
            record = model.search([], limit=1)
        event_type = self._webhook_get_event_type(record)
        body = self._webhook_prepare_body(record, event_type, datetime.now(UTC))
        headers = {}
        endpoint = action_sudo.webhook_endpoint_id
        if endpoint:
            message = self.env["webhook.outgoing.message"].new(
                {
                    "endpoint_id": endpoint.id,
                    "message_id": new_message_id(),
                    "body": body,
                    "event_type": event_type,
                }
            )
            headers = message._prepare_headers(time.time())
        return {"body": body, "headers": headers, "event_type": event_type}
