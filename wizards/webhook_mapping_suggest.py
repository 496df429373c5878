# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Suggest Mappings: the sample payload's paths, each with a field to fill."""

import json

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..models.webhook_payload_mapping import MAPPABLE_TTYPES, _is_writable
from ..receiver.mapping import sample_paths

# the longest sample value shown next to its path
VALUE_MAX_LENGTH = 80


def _describe_value(value):
    """Return a short text of a sample value: ``"Ada"``, ``42``, ``[3 items]``.

    A list of objects (lines, most likely) is told by its length, other values
    as JSON.
    """
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return _("[%(count)s items]", count=len(value))
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > VALUE_MAX_LENGTH:
        text = text[: VALUE_MAX_LENGTH - 3] + "..."
    return text


class WebhookMappingSuggest(models.TransientModel):
    """The paths of an action's sample payload, to map in a few clicks.

    Created with its ``action_id`` only, it lists the sample's paths, with the
    field named like each key pre-selected; Add Mappings adds the selected
    ones to the action's mapping.
    """

    _name = "webhook.mapping.suggest"
    _description = "Suggest Webhook Payload Mappings"

    action_id = fields.Many2one(
        "ir.actions.server",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    model_id = fields.Many2one(
        related="action_id.crud_model_id", string="Records to create or update"
    )
    line_ids = fields.One2many(
        "webhook.mapping.suggest.line", "wizard_id", string="Payload Paths"
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("action_id") and "line_ids" not in vals:
                action = self.env["ir.actions.server"].browse(vals["action_id"])
                vals["line_ids"] = self._prepare_line_commands(action)
        return super().create(vals_list)

    @api.model
    def _prepare_line_commands(self, action):
        """Return the commands creating a line per path of the action's sample."""
        item = action._webhook_sample_item(action._webhook_get_sample())
        if not isinstance(item, dict):
            return []
        suggested = {
            path: field
            for field, path in action._webhook_suggest_field_paths().items()
            if self._is_mappable(field)
        }
        mapped = action.webhook_mapping_ids.field_id
        commands = []
        for path, value in sample_paths(item):
            field = suggested.get(path, self.env["ir.model.fields"])
            commands.append(
                Command.create(
                    {
                        "path": path,
                        "value": _describe_value(value),
                        "field_id": field.id,
                        "selected": bool(field) and field not in mapped,
                    }
                )
            )
        return commands

    @api.model
    def _is_mappable(self, field):
        """Tell whether a mapping line may fill ``field`` (an ir.model.fields)."""
        if field.ttype not in MAPPABLE_TTYPES or field.model not in self.env:
            return False
        model_field = self.env[field.model]._fields.get(field.name)
        return (
            model_field is not None
            and _is_writable(model_field)
            and not model_field.groups
        )

    def action_add_mappings(self):
        """Add a mapping line per selected path with a field, then close."""
        self.ensure_one()
        action = self.action_id
        existing = action.webhook_mapping_ids
        mapped = existing.field_id
        sequence = max(existing.mapped("sequence"), default=0)
        vals_list = []
        for line in self.line_ids.filtered(
            lambda line: line.selected and line.field_id
        ):
            if line.field_id in mapped:
                continue
            mapped |= line.field_id
            sequence += 1
            vals_list.append(
                {
                    "action_id": action.id,
                    "sequence": sequence,
                    "field_id": line.field_id.id,
                    "source": "path",
                    "path": line.path,
                }
            )
        if not vals_list and self.line_ids.filtered("selected"):
            raise UserError(
                _(
                    "The selected paths have no field, or their fields are "
                    "already mapped: choose a field for each path to add."
                )
            )
        self.env["webhook.payload.mapping"].create(vals_list)
        return {"type": "ir.actions.act_window_close"}
