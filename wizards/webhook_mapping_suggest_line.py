# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from ..models.webhook_payload_mapping import MAPPABLE_TTYPES


class WebhookMappingSuggestLine(models.TransientModel):
    """A path of the sample payload, its value and the field it would fill."""

    _name = "webhook.mapping.suggest.line"
    _description = "Suggested Webhook Payload Mapping"
    _order = "id"

    wizard_id = fields.Many2one(
        "webhook.mapping.suggest",
        string="Suggestion",
        required=True,
        ondelete="cascade",
    )
    model_id = fields.Many2one(related="wizard_id.model_id")
    selected = fields.Boolean(
        string="Add", help="Add a mapping line for this path on Add Mappings."
    )
    path = fields.Char(required=True, readonly=True)
    value = fields.Char(string="Sample Value", readonly=True)
    field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', "
        + repr(list(MAPPABLE_TTYPES))
        + ")]",
        help="The field the path's value fills: suggested when a key is named "
        "like a field, or choose one.",
    )
    mapped = fields.Boolean(
        string="Already Mapped",
        compute="_compute_mapped",
        help="The action's mapping already fills this field.",
    )

    @api.depends("field_id", "wizard_id.action_id.webhook_mapping_ids.field_id")
    def _compute_mapped(self):
        for line in self:
            mapped = line.wizard_id.action_id.webhook_mapping_ids.field_id
            line.mapped = bool(line.field_id) and line.field_id in mapped

    @api.onchange("field_id")
    def _onchange_field_id(self):
        """Choosing a field selects the path, clearing it unselects it."""
        for line in self:
            line.selected = bool(line.field_id) and not line.mapped
