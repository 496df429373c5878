# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..receiver.mapping import sample_paths

# field types a mapping line can fill
MAPPABLE_TTYPES = (
    "char",
    "text",
    "html",
    "integer",
    "float",
    "monetary",
    "boolean",
    "selection",
    "date",
    "datetime",
    "many2one",
    "many2many",
    "one2many",
    "binary",
    "json",
)
RELATIONAL_TTYPES = ("many2one", "many2many")


def _is_writable(field):
    """Tell whether a mapping may fill ``field``: stored, or with an inverse."""
    if field.inverse:
        return True
    return bool(field.store) and not (field.compute and field.readonly)


class WebhookPayloadMapping(models.Model):
    """One field of a Create/Update from Payload action, and where its value is.

    Lines of a one2many field (e.g. an order's ``order_line``) hold child
    lines (``parent_id``), whose paths are relative to each item of the list.
    """

    _name = "webhook.payload.mapping"
    _description = "Webhook Payload Mapping"
    _order = "sequence, id"

    action_id = fields.Many2one(
        "ir.actions.server",
        required=True,
        index=True,
        ondelete="cascade",
    )
    parent_id = fields.Many2one(
        "webhook.payload.mapping",
        string="Parent Line",
        index="btree_not_null",
        ondelete="cascade",
        help="The one2many line whose items this line maps.",
    )
    child_ids = fields.One2many(
        "webhook.payload.mapping", "parent_id", string="Line Fields", copy=True
    )
    sequence = fields.Integer(default=10)
    model_id = fields.Many2one(
        "ir.model",
        compute="_compute_model_id",
        help="The model of the records this line fills: the action's, or the "
        "lines' of the parent one2many field.",
    )
    field_id = fields.Many2one(
        "ir.model.fields",
        required=True,
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', "
        + repr(list(MAPPABLE_TTYPES))
        + ")]",
    )
    field_type = fields.Selection(related="field_id.ttype", string="Field Type")
    relation = fields.Char(related="field_id.relation", string="Related Model")
    source = fields.Selection(
        [("path", "Payload Path"), ("fixed", "Fixed Value")],
        default="path",
        required=True,
    )
    path = fields.Char(
        help="Where the value is in the payload: a dotted path such as "
        "customer.email or data.object.id, with list indexes as items.0.sku. "
        "Relative to each item for lines.",
    )
    fixed_value = fields.Char(
        help="The value given to every record, written as in an import file "
        "(a name, 1/0 for booleans, 2026-12-03 for dates).",
    )
    required = fields.Boolean(
        help="Refuse the call (422 mapping_missing_value) when the payload has "
        "no value at this path.",
    )
    default_value = fields.Char(
        help="The value used when the payload has none at this path.",
    )
    relation_match = fields.Selection(
        [
            ("name", "Name"),
            ("xmlid", "External ID"),
            ("id", "Database ID"),
            ("field", "Field"),
        ],
        string="Find Related By",
        default="name",
        help="How the payload's value designates the related record: its name "
        "(as an import does), its external id, its database id, or the value "
        "of one of its fields (e.g. a country by code).",
    )
    relation_field_id = fields.Many2one(
        "ir.model.fields",
        string="Related Field",
        ondelete="cascade",
        domain="[('model', '=', relation), ('store', '=', True), "
        "('ttype', 'in', ('char', 'integer', 'selection'))]",
        help="The field of the related records that holds the payload's value.",
    )
    create_missing = fields.Boolean(
        help="Create the related record from its name when none matches.",
    )
    value_format = fields.Char(
        string="Date Format",
        default="iso8601",
        help="iso8601 (offsets honoured, none means UTC), epoch (seconds since "
        "1970), or a strftime pattern such as %d/%m/%Y %H:%M.",
    )
    path_suggestions = fields.Json(
        compute="_compute_path_suggestions",
        help="The sample payload's paths, offered while typing a path.",
    )

    @api.depends("action_id.crud_model_id", "parent_id.field_id")
    def _compute_model_id(self):
        model_model = self.env["ir.model"]
        for line in self:
            if line.parent_id:
                relation = line.parent_id.field_id.relation
                line.model_id = model_model._get(relation) if relation else False
            else:
                line.model_id = line.action_id.crud_model_id

    @api.depends(
        "action_id.webhook_upsert_sample",
        "parent_id.path",
        "parent_id.action_id.webhook_upsert_sample",
    )
    def _compute_path_suggestions(self):
        for line in self:
            line.path_suggestions = line._get_path_suggestions()

    def _get_path_suggestions(self):
        """Return the sample's paths, relative to the parent's items for lines."""
        self.ensure_one()
        # a new line of a one2many line knows its action through its parent
        action = self.action_id or self.parent_id.action_id
        try:
            sample = json.loads(action.webhook_upsert_sample or "null")
        except ValueError:
            return []
        if action.webhook_items_path and isinstance(sample, dict):
            sample = action._webhook_sample_item(sample)
        if self.parent_id and self.parent_id.path and isinstance(sample, dict):
            items = action._webhook_sample_get(sample, self.parent_id.path)
            sample = items[0] if isinstance(items, list) and items else None
        if not isinstance(sample, dict):
            return []
        return [path for path, _value in sample_paths(sample)]

    @api.model_create_multi
    def create(self, vals_list):
        # child lines belong to their parent's action
        for vals in vals_list:
            if vals.get("parent_id") and not vals.get("action_id"):
                parent = self.browse(vals["parent_id"])
                vals["action_id"] = parent.action_id.id
        return super().create(vals_list)

    @api.constrains("field_id", "parent_id", "action_id")
    def _check_field_id(self):
        for line in self:
            model = line.model_id.model
            field = line.field_id
            if model and field.model != model:
                raise ValidationError(
                    _(
                        "The field %(field)s is not a field of %(model)s.",
                        field=field.field_description,
                        model=model,
                    )
                )
            if field.ttype not in MAPPABLE_TTYPES:
                raise ValidationError(
                    _(
                        "A mapping cannot fill %(field)s: its type is %(type)s.",
                        field=field.field_description,
                        type=field.ttype,
                    )
                )
            model_field = self.env[field.model]._fields.get(field.name)
            if model_field is None or not _is_writable(model_field):
                raise ValidationError(
                    _(
                        "The field %(field)s cannot be written: map a stored field "
                        "or a computed one with an inverse.",
                        field=field.field_description,
                    )
                )
            if model_field.groups:
                raise ValidationError(
                    _(
                        "The field %(field)s is restricted to some groups: a "
                        "mapping cannot fill it.",
                        field=field.field_description,
                    )
                )
            if line.parent_id and line.parent_id.field_id.ttype != "one2many":
                raise ValidationError(
                    _("Only the lines of a one2many field can have line fields.")
                )
            if line.parent_id.parent_id:
                raise ValidationError(
                    _("Lines of lines are not supported: map one level of lines.")
                )

    @api.constrains("source", "path", "relation_match", "relation_field_id")
    def _check_source(self):
        for line in self:
            if line.source == "path" and not (line.path or "").strip():
                raise ValidationError(
                    _(
                        "Give the payload path of %(field)s.",
                        field=line.field_id.field_description,
                    )
                )
            if line.field_id.ttype == "one2many" and line.source != "path":
                raise ValidationError(
                    _("A one2many field is filled from a list in the payload.")
                )
            if (
                line.field_id.ttype in RELATIONAL_TTYPES
                and line.relation_match == "field"
                and line.relation_field_id.model != line.field_id.relation
            ):
                raise ValidationError(
                    _(
                        "Choose the field of %(model)s that holds the value of "
                        "%(field)s.",
                        model=line.field_id.relation,
                        field=line.field_id.field_description,
                    )
                )
