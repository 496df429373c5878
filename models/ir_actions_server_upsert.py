# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The "Create/Update from Payload" server action: no-code payload mapping."""

import json

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..receiver.errors import (
    WebhookMappingAmbiguousMatch,
    WebhookMappingError,
    WebhookMappingInvalidValue,
    WebhookMappingMissingValue,
    WebhookMappingNoMatch,
    WebhookMappingRelationNotFound,
    WebhookTooManyItems,
)
from ..receiver.mapping import (
    MISSING,
    get_path,
    is_empty,
    join_path,
    parse_date,
    parse_datetime,
    parse_number,
    sample_paths,
)
from ..receiver.payload import to_search_value

DEFAULT_MAX_ITEMS = 100
# match fields: the types an exact search finds a record by
MATCH_TTYPES = ("char", "integer", "many2one")
# fields a suggestion never proposes: the ORM's own
SUGGEST_SKIPPED_FIELDS = frozenset(
    ("id", "create_uid", "create_date", "write_uid", "write_date", "display_name")
)


def _short(value):
    """Return ``value`` as short JSON text, for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    state = fields.Selection(
        selection_add=[("webhook_upsert", "Create/Update from Payload")],
        ondelete={"webhook_upsert": "cascade"},
    )
    webhook_upsert_mode = fields.Selection(
        [
            ("create", "Create"),
            ("update", "Update"),
            ("create_or_update", "Create or Update"),
        ],
        string="Mode",
        default="create_or_update",
        help="Create: a new record per payload (or item). Update: the record "
        "with the payload's match value, 422 if there is none. Create or "
        "Update: update it if it exists, create it otherwise; concurrent calls "
        "with the same key never create two records.",
    )
    webhook_match_field_id = fields.Many2one(
        "ir.model.fields",
        string="Match Field",
        ondelete="cascade",
        domain="[('model_id', '=', crud_model_id), ('store', '=', True), "
        "('ttype', 'in', ('char', 'integer', 'many2one'))]",
        help="The field that identifies a record, e.g. Email, Reference or "
        "Internal Reference.",
    )
    webhook_match_path = fields.Char(
        string="Match Path",
        help="Where the match value is in the payload: a dotted path such as "
        "email or data.object.id (list indexes as items.0.sku).",
    )
    webhook_on_multiple = fields.Selection(
        [("error", "Refuse the call"), ("first", "Take the first")],
        string="Several Matches",
        default="error",
        help="What to do when several records have the match value: refuse "
        "the call (422 mapping_ambiguous_match) or take the first one.",
    )
    webhook_items_path = fields.Char(
        string="Items Path",
        help="Optional: a list in the payload, one record per item. The match "
        "path and the mapping's paths are then relative to each item.",
    )
    webhook_max_items = fields.Integer(
        string="Max Items",
        default=DEFAULT_MAX_ITEMS,
        help="The most items a payload may hold (413 too_many_items beyond).",
    )
    webhook_mapping_ids = fields.One2many(
        "webhook.payload.mapping",
        "action_id",
        string="Mapping",
        domain=[("parent_id", "=", False)],
        copy=True,
    )
    webhook_upsert_plan = fields.Json(
        compute="_compute_webhook_upsert_plan",
        store=True,
        readonly=True,
        copy=False,
        help="The mapping as plain data, read with the action: a call does "
        "not read the mapping lines and their fields.",
    )
    webhook_upsert_sample = fields.Text(
        string="Payload Sample",
        help="A payload as the sender sends it: Suggest Mappings lists its "
        "paths, and the preview shows the record it would give.",
    )
    webhook_upsert_preview = fields.Html(
        string="Preview",
        compute="_compute_webhook_upsert_preview",
        sanitize=False,
        help="What the sample payload would create or update, computed "
        "without writing anything.",
    )

    _sql_constraints = [
        (
            "webhook_max_items_positive",
            "CHECK(webhook_max_items IS NULL OR webhook_max_items > 0)",
            "The maximum number of items must be positive.",
        ),
    ]

    # ------------------------------------------------------------------
    # Form
    # ------------------------------------------------------------------

    @api.depends("state")
    def _compute_crud_relations(self):
        upserts = self.filtered(lambda action: action.state == "webhook_upsert")
        # core clears them for the types it does not know
        kept = {action: action.crud_model_id for action in upserts}
        result = super()._compute_crud_relations()
        for action in upserts:
            action.crud_model_id = kept[action] or action.model_id
            action.update_field_id = False
            action.update_path = False
        return result

    @api.depends("webhook_upsert_mode", "crud_model_id")
    def _compute_name(self):
        result = super()._compute_name()
        for action in self.filtered("base_automation_id"):
            if action.state == "webhook_upsert":
                action.name = _(
                    "Create/Update %(model)s from Payload",
                    model=action.crud_model_id.name or action.model_id.name,
                )
        return result

    @api.onchange("state", "base_automation_id")
    def _onchange_webhook_upsert_sample(self):
        """Pre-fill the sample with the webhook's last logged payload."""
        for action in self:
            if action.state == "webhook_upsert" and not action.webhook_upsert_sample:
                action.webhook_upsert_sample = action._webhook_get_default_sample()

    @api.onchange("webhook_match_field_id")
    def _onchange_webhook_match_field_id(self):
        """Suggest the match path: the sample's key named as the field."""
        for action in self:
            if action.webhook_match_field_id and not action.webhook_match_path:
                suggested = action._webhook_suggest_field_paths().get(
                    action.webhook_match_field_id
                )
                if suggested:
                    action.webhook_match_path = suggested

    @api.model_create_multi
    def create(self, vals_list):
        actions = super().create(vals_list)
        actions.filtered(
            lambda action: action.state == "webhook_upsert"
        )._webhook_clear_default_target()
        return actions

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "webhook_upsert":
            self._webhook_clear_default_target()
        return result

    def _webhook_clear_default_target(self):
        """Drop core's placeholder Target Record of the actions' webhooks.

        A Create/Update from Payload action finds (or creates) its records
        itself; core's default expression would refuse every payload
        without ``_model`` and ``_id``.
        """
        rules = self.base_automation_id.filtered(
            lambda rule: rule.trigger == "on_webhook" and rule.record_getter
        )
        for rule in rules:
            if rule.record_getter == rule._fields["record_getter"].default(rule):
                rule.record_getter = False

    def _webhook_get_default_sample(self):
        """Return the payload of the webhook's last logged call (or console test)."""
        self.ensure_one()
        rule = self.base_automation_id._origin
        if not rule or rule.trigger != "on_webhook":
            return False
        log_sudo = (
            self.env["webhook.call.log"]
            .sudo()
            .search(
                [
                    ("automation_id", "=", rule.id),
                    ("request_body", "!=", False),
                    ("body_truncated", "=", False),
                ],
                order="id desc",
                limit=1,
            )
        )
        try:
            logged = json.loads(log_sudo.request_body or "null")
        except ValueError:
            logged = None
        if isinstance(logged, dict) and logged:
            return json.dumps(logged, indent=2, ensure_ascii=False)
        rule_sudo = rule.sudo()
        return rule_sudo.webhook_test_payload or False

    def _webhook_get_sample(self):
        """Return the sample payload as a dict (empty if it is not a JSON object)."""
        self.ensure_one()
        try:
            sample = json.loads(self.webhook_upsert_sample or "null")
        except ValueError:
            return {}
        return sample if isinstance(sample, dict) else {}

    def _webhook_sample_get(self, sample, path):
        """Return the value at ``path`` of a sample, None if absent."""
        value = get_path(sample, (path or "").strip())
        return None if value is MISSING else value

    def _webhook_sample_item(self, sample):
        """Return the first item of the sample (itself without Items Path)."""
        self.ensure_one()
        if not self.webhook_items_path:
            return sample
        items = self._webhook_sample_get(sample, self.webhook_items_path)
        return items[0] if isinstance(items, list) and items else {}

    def _webhook_suggest_field_paths(self):
        """Return ``{field: path}`` for the sample's keys named as a field.

        A key matches a field whose technical name or label it equals,
        case and separators aside (``email`` → Email, ``phone`` → Phone).
        """
        self.ensure_one()
        model = self.crud_model_id
        if not model:
            return {}
        item = self._webhook_sample_item(self._webhook_get_sample())
        fields_by_key = {}
        for field in self.env["ir.model.fields"].search([("model_id", "=", model.id)]):
            if field.name in SUGGEST_SKIPPED_FIELDS:
                continue
            for key in (field.name, field.field_description or ""):
                fields_by_key.setdefault(_normalize_key(key), field)
        suggestions = {}
        for path, _value in sample_paths(item):
            field = fields_by_key.get(_normalize_key(path.rpartition(".")[2]))
            if field and field not in suggestions and ".0." not in f".{path}.":
                suggestions[field] = path
        return suggestions

    def action_webhook_suggest_mappings(self):
        """Open the sample's paths with their values and suggested fields."""
        self.ensure_one()
        if not self._webhook_get_sample():
            raise UserError(
                _("Paste a sample payload (a JSON object) first, then suggest again.")
            )
        wizard = self.env["webhook.mapping.suggest"].create({"action_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Suggest Mappings"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.depends(
        "state",
        "crud_model_id",
        "webhook_upsert_sample",
        "webhook_upsert_mode",
        "webhook_match_field_id",
        "webhook_match_path",
        "webhook_items_path",
        "webhook_mapping_ids",
        "webhook_mapping_ids.field_id",
        "webhook_mapping_ids.source",
        "webhook_mapping_ids.path",
        "webhook_mapping_ids.fixed_value",
        "webhook_mapping_ids.default_value",
        "webhook_mapping_ids.required",
        "webhook_mapping_ids.relation_match",
        "webhook_mapping_ids.relation_field_id",
        "webhook_mapping_ids.value_format",
        "webhook_mapping_ids.child_ids",
    )
    def _compute_webhook_upsert_preview(self):
        for action in self:
            if action.state != "webhook_upsert" or not action.crud_model_id:
                action.webhook_upsert_preview = False
                continue
            sample = action._webhook_get_sample()
            if not sample:
                action.webhook_upsert_preview = Markup(
                    "<p class='text-muted'>%s</p>"
                ) % _("Paste a sample payload to see the record it gives.")
                continue
            action.webhook_upsert_preview = action._webhook_upsert_render_preview(
                sample
            )

    def _webhook_upsert_render_preview(self, sample):
        """Return the HTML of what ``sample`` would create or update."""
        self.ensure_one()
        try:
            previews = self._webhook_upsert_preview(sample)
        except (WebhookMappingError, WebhookTooManyItems, UserError) as exc:
            return Markup("<div class='alert alert-warning' role='alert'>%s</div>") % (
                str(exc.args[0]) if exc.args else str(exc)
            )
        parts = []
        for preview in previews:
            rows = Markup("").join(
                Markup("<tr><th>%s</th><td>%s</td></tr>") % (label, value)
                for label, value in preview["values"]
            )
            parts.append(
                Markup(
                    "<p><strong>%s</strong></p>"
                    "<table class='table table-sm o_webhook_upsert_preview'>%s</table>"
                )
                % (preview["title"], rows)
            )
        return Markup("").join(parts)

    def _webhook_upsert_preview(self, sample):
        """Return what ``sample`` would do, per item: a title and (label, value)s.

        Nothing is written: the conversion only reads, and a related record
        that Create Missing would create is shown as new.
        """
        self.ensure_one()
        previews = []
        action = self.with_context(webhook_upsert_preview=True)
        model = action.env[self.crud_model_id.model]
        for prefix, item in self._webhook_upsert_get_items(sample):
            values = action._webhook_upsert_prepare_values(model, item, prefix)
            records = (
                model.browse()
                if self.webhook_upsert_mode == "create"
                else action._webhook_upsert_find(model, item, prefix)
            )
            if records:
                title = _("Would update %(record)s", record=records.display_name)
            elif self.webhook_upsert_mode == "update":
                raise action._webhook_upsert_no_match(model, prefix)
            else:
                title = _("Would create a %(model)s", model=model._description)
            previews.append(
                {
                    "title": title,
                    "values": self._webhook_upsert_describe_values(model, values),
                }
            )
        return previews

    def _webhook_upsert_describe_values(self, model, values):
        """Return ``(label, text)`` of prepared values, for the preview."""
        described = []
        for name, value in values.items():
            field = model._fields[name]
            if field.type == "many2one" and isinstance(value, str):
                text = value  # to be created (preview)
            elif field.type == "many2one" and value:
                text = self.env[field.comodel_name].browse(value).display_name
            elif field.type == "one2many":
                lines = [cmd for cmd in value if cmd[0] == Command.CREATE]
                text = _("%(count)s line(s)", count=len(lines))
            elif field.type == "many2many":
                ids = [id_ for cmd in value if cmd[0] == Command.SET for id_ in cmd[2]]
                related = self.env[field.comodel_name]
                text = ", ".join(
                    id_ if isinstance(id_, str) else related.browse(id_).display_name
                    for id_ in ids
                )
            elif field.type == "selection" and value:
                text = dict(field._description_selection(self.env)).get(value, value)
            else:
                text = "" if value is False else str(value)
            described.append((field._description_string(self.env), text))
        return described

    # ------------------------------------------------------------------
    # Run
    # ------------------------------------------------------------------

    @api.depends(
        "state",
        "crud_model_id.model",
        "webhook_match_field_id.name",
        "webhook_mapping_ids.sequence",
        "webhook_mapping_ids.field_id.name",
        "webhook_mapping_ids.source",
        "webhook_mapping_ids.path",
        "webhook_mapping_ids.fixed_value",
        "webhook_mapping_ids.default_value",
        "webhook_mapping_ids.required",
        "webhook_mapping_ids.relation_match",
        "webhook_mapping_ids.relation_field_id.name",
        "webhook_mapping_ids.create_missing",
        "webhook_mapping_ids.value_format",
        "webhook_mapping_ids.child_ids",
        "webhook_mapping_ids.child_ids.sequence",
        "webhook_mapping_ids.child_ids.field_id.name",
        "webhook_mapping_ids.child_ids.source",
        "webhook_mapping_ids.child_ids.path",
        "webhook_mapping_ids.child_ids.fixed_value",
        "webhook_mapping_ids.child_ids.default_value",
        "webhook_mapping_ids.child_ids.required",
        "webhook_mapping_ids.child_ids.relation_match",
        "webhook_mapping_ids.child_ids.relation_field_id.name",
        "webhook_mapping_ids.child_ids.create_missing",
        "webhook_mapping_ids.child_ids.value_format",
    )
    def _compute_webhook_upsert_plan(self):
        for action in self:
            if action.state != "webhook_upsert":
                action.webhook_upsert_plan = False
                continue
            action.webhook_upsert_plan = {
                "model": action.crud_model_id.model or False,
                "match_field": action.webhook_match_field_id.name or False,
                "lines": [
                    _plan_line(line)
                    for line in action.webhook_mapping_ids.filtered(
                        lambda line: not line.parent_id
                    ).sorted(lambda line: (line.sequence, line.id))
                ],
            }

    def _webhook_upsert_plan_lines(self):
        """Return the top lines of the mapping, from the stored plan."""
        self.ensure_one()
        plan = self.webhook_upsert_plan or {}
        return [_PlanLine(line) for line in plan.get("lines", ())]

    def _run_action_webhook_upsert_multi(self, eval_context=None):
        """Create or update records of the action's model from the payload."""
        self.ensure_one()
        payload = self.env.context.get("webhook_payload")
        if payload is None:
            raise UserError(
                _(
                    "The action %(action)s maps a webhook's payload: it runs in "
                    "webhooks only (or with webhook_payload in its context).",
                    action=self.name,
                )
            )
        env = eval_context["env"] if eval_context else self.env
        plan = self.webhook_upsert_plan or {}
        model = env[plan.get("model") or self.crud_model_id.model]
        created, updated = self._webhook_upsert(model, payload)
        self._webhook_upsert_set_response(model, created, updated)
        return False

    def _webhook_upsert(self, model, payload):
        """Create or update a record per item; return the created and updated ones."""
        self.ensure_one()
        created, updated = model.browse(), model.browse()
        items = self._webhook_upsert_get_items(payload)
        for prefix, item in items:
            values = self._webhook_upsert_prepare_values(model, item, prefix)
            records = (
                model.browse()
                if self.webhook_upsert_mode == "create"
                else self._webhook_upsert_find(model, item, prefix)
            )
            if records:
                self._webhook_upsert_write(records, values)
                updated |= records
                continue
            if self.webhook_upsert_mode == "update":
                raise self._webhook_upsert_no_match(model, prefix)
            record = self._webhook_upsert_create(model, item, prefix, values)
            created |= record
        return created, updated - created

    def _webhook_upsert_get_items(self, payload):
        """Return ``(path prefix, item)`` of the records to create or update."""
        self.ensure_one()
        path = (self.webhook_items_path or "").strip()
        if not path:
            return [("", payload)]
        items = get_path(payload, path)
        if is_empty(items):
            raise WebhookMappingMissingValue(
                _("The payload has no %(path)s.", path=path), details={"path": path}
            )
        if not isinstance(items, list) or not all(
            isinstance(item, dict) for item in items
        ):
            raise WebhookMappingInvalidValue(
                _("The payload's %(path)s is not a list of objects.", path=path),
                details={"path": path},
            )
        self._webhook_upsert_check_count(path, items)
        return [(join_path(path, str(index)), item) for index, item in enumerate(items)]

    def _webhook_upsert_check_count(self, path, items):
        """Refuse a list longer than Max Items (413): items, lines or tags alike."""
        limit = self.webhook_max_items or DEFAULT_MAX_ITEMS
        if len(items) > limit:
            raise WebhookTooManyItems(
                _(
                    "The payload's %(path)s has %(count)s items; this webhook "
                    "takes at most %(limit)s.",
                    path=path,
                    count=len(items),
                    limit=limit,
                ),
                details={"path": path},
            )

    def _webhook_upsert_find(self, model, item, prefix):
        """Return the record(s) whose match field holds the item's match value."""
        self.ensure_one()
        field, search_value, path = self._webhook_upsert_get_key(model, item, prefix)
        records = model.with_context(active_test=False).search(
            [(field.name, "=", search_value)],
            limit=2 if self.webhook_on_multiple == "error" else 1,
        )
        if len(records) > 1:
            raise WebhookMappingAmbiguousMatch(
                _(
                    "Several %(model)s records have %(field)s = %(value)s (the "
                    "payload's %(path)s).",
                    model=model._name,
                    field=field.name,
                    value=_short(search_value),
                    path=path,
                ),
                details={"path": path, "field": field.name, "model": model._name},
            )
        return records.with_env(model.env)

    def _webhook_upsert_get_key(self, model, item, prefix):
        """Return the match field, the item's value for it and its path."""
        self.ensure_one()
        if (
            not self.webhook_match_field_id
            or not (self.webhook_match_path or "").strip()
        ):
            raise UserError(
                _(
                    "The action %(action)s needs a Match Field and a Match Path "
                    "to find the record to update.",
                    action=self.name,
                )
            )
        match_name = (self.webhook_upsert_plan or {}).get(
            "match_field"
        ) or self.webhook_match_field_id.name
        field = model._fields[match_name]
        relative = self.webhook_match_path.strip()
        path = join_path(prefix, relative)
        value = get_path(item, relative)
        if is_empty(value):
            raise self._webhook_upsert_missing(path, field)
        search_value = to_search_value(
            value.strip() if isinstance(value, str) else value, field.type
        )
        if search_value is None:
            raise WebhookMappingInvalidValue(
                _(
                    "The payload's %(path)s (%(value)s) cannot identify a "
                    "record by %(field)s.",
                    path=path,
                    value=_short(value),
                    field=field.name,
                ),
                details={"path": path, "field": field.name},
            )
        return field, search_value, path

    def _webhook_upsert_create(self, model, item, prefix, values):
        """Create the record of an item, after claiming its key if there is one."""
        self.ensure_one()
        if self.webhook_upsert_mode == "create_or_update":
            field, search_value, _path = self._webhook_upsert_get_key(
                model, item, prefix
            )
            values.setdefault(field.name, search_value)
            self.env["webhook.upsert.claim"]._claim(
                model._name, field.name, str(search_value)
            )
        return model.create(values)

    def _webhook_upsert_write(self, records, values):
        """Write the prepared values on the matched records."""
        if values:
            records.write(values)

    def _webhook_upsert_set_response(self, model, created, updated):
        """Add the created and updated records to the call's ``data``."""
        response_data = self.env.context.get("webhook_response")
        if response_data is None:
            return
        data = response_data.value if isinstance(response_data.value, dict) else {}
        if data.get("model") not in (None, model._name):
            # several upsert actions on different models: the last one's
            data = {
                key: value
                for key, value in data.items()
                if key not in ("created", "updated")
            }
        data["model"] = model._name
        data["created"] = list(data.get("created") or []) + created.ids
        data["updated"] = list(data.get("updated") or []) + updated.ids
        response_data.value = data

    # ------------------------------------------------------------------
    # Values
    # ------------------------------------------------------------------

    def _webhook_upsert_prepare_values(self, model, item, prefix, lines=None):
        """Return the values of ``model`` the mapping lines give for ``item``."""
        self.ensure_one()
        if lines is None:
            lines = self._webhook_upsert_plan_lines()
        elif not isinstance(lines, list):
            lines = lines.sorted(lambda line: (line.sequence, line.id))
        values = {}
        for line in lines:
            name = line.field_id.name
            field = model._fields.get(name)
            if field is None:
                raise UserError(
                    _(
                        "The mapping of %(action)s fills %(field)s, which %(model)s "
                        "does not have.",
                        action=self.name,
                        field=name,
                        model=model._name,
                    )
                )
            value = self._webhook_upsert_get_value(model, field, line, item, prefix)
            if value is not MISSING:
                values[name] = value
        return values

    def _webhook_upsert_get_value(self, model, field, line, item, prefix):
        """Return the converted value of one mapping line, MISSING to leave it."""
        if line.source == "fixed":
            raw, path = line.fixed_value or "", join_path(prefix, field.name)
        else:
            relative = (line.path or "").strip()
            raw, path = get_path(item, relative), join_path(prefix, relative)
        if is_empty(raw):
            if line.default_value:
                raw = line.default_value
            elif line.required:
                raise self._webhook_upsert_missing(path, field)
            elif raw is MISSING:
                return MISSING
            else:
                return (
                    [Command.clear()]
                    if field.type in ("one2many", "many2many")
                    else False
                )
        return self._webhook_upsert_convert(model, field, line, raw, path)

    def _webhook_upsert_missing(self, path, field):
        """Return the 422 error of a value the mapping requires."""
        return WebhookMappingMissingValue(
            _(
                "The payload has no value at %(path)s (%(field)s is required).",
                path=path,
                field=field.name,
            ),
            details={"path": path, "field": field.name},
        )

    def _webhook_upsert_no_match(self, model, prefix):
        """Return the 422 error of an update that finds no record."""
        path = join_path(prefix, (self.webhook_match_path or "").strip())
        field = self.webhook_match_field_id.name
        return WebhookMappingNoMatch(
            _(
                "No %(model)s record has the %(field)s given at %(path)s.",
                model=model._name,
                field=field,
                path=path,
            ),
            details={"path": path, "field": field, "model": model._name},
        )

    def _webhook_upsert_convert(self, model, field, line, raw, path):
        """Convert a payload value for ``field``, with Odoo's import semantics."""
        converter = getattr(self, f"_webhook_upsert_convert_{field.type}", None)
        if converter is None:
            converter = self._webhook_upsert_convert_char
        try:
            return converter(model, field, line, raw, path)
        except (WebhookMappingError, WebhookTooManyItems):
            raise
        except (ValueError, TypeError) as exc:
            raise WebhookMappingInvalidValue(
                _(
                    "The payload's %(path)s (%(value)s) is not a valid %(field)s: "
                    "%(reason)s",
                    path=path,
                    value=_short(raw),
                    field=field.name,
                    reason=_import_message(exc, field, self.env),
                ),
                details={"path": path, "field": field.name},
            ) from None

    def _webhook_upsert_converter(self, model, line=None):
        """Return Odoo's import converter, creating missing names where asked."""
        converter = self.env["ir.fields.converter"].with_env(model.env)
        if line is not None and line.create_missing:
            converter = converter.with_context(
                name_create_enabled_fields={line.field_id.name: True}
            )
        return converter

    def _webhook_upsert_convert_char(self, model, field, line, raw, path):
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise ValueError(_("text is expected"))
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return str(raw)

    _webhook_upsert_convert_text = _webhook_upsert_convert_char
    _webhook_upsert_convert_html = _webhook_upsert_convert_char
    _webhook_upsert_convert_binary = _webhook_upsert_convert_char

    def _webhook_upsert_convert_json(self, model, field, line, raw, path):
        return raw

    def _webhook_upsert_convert_integer(self, model, field, line, raw, path):
        number = parse_number(raw)
        if not number.is_integer() or not -(2**31) <= number < 2**31:
            raise ValueError(_("an integer is expected"))
        return int(number)

    def _webhook_upsert_convert_float(self, model, field, line, raw, path):
        return parse_number(raw)

    _webhook_upsert_convert_monetary = _webhook_upsert_convert_float

    def _webhook_upsert_convert_boolean(self, model, field, line, raw, path):
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        if not isinstance(raw, str):
            raise ValueError(_("true or false is expected"))
        value, warnings = self._webhook_upsert_converter(model)._str_to_boolean(
            model, field, raw.strip()
        )
        if warnings:
            raise ValueError(_("true or false is expected"))
        return value

    def _webhook_upsert_convert_selection(self, model, field, line, raw, path):
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise ValueError(_("one of the field's values is expected"))
        text = str(raw).strip()
        # a value itself (what senders send) is found without reading the
        # labels' translations, which the import converter reads per call
        for key in field.get_values(model.env):
            if text.lower() == str(key).lower():
                return key
        value, _warnings = self._webhook_upsert_converter(model)._str_to_selection(
            model, field, text
        )
        return value

    def _webhook_upsert_convert_date(self, model, field, line, raw, path):
        return parse_date(raw, line.value_format)

    def _webhook_upsert_convert_datetime(self, model, field, line, raw, path):
        return parse_datetime(raw, line.value_format)

    def _webhook_upsert_convert_many2one(self, model, field, line, raw, path):
        return self._webhook_upsert_find_related(model, field, line, raw, path)

    def _webhook_upsert_convert_many2many(self, model, field, line, raw, path):
        if isinstance(raw, str):
            references = [part for part in raw.split(",") if part.strip()]
        elif isinstance(raw, list):
            references = raw
        else:
            references = [raw]
        self._webhook_upsert_check_count(path, references)
        ids = [
            self._webhook_upsert_find_related(
                model,
                field,
                line,
                reference,
                join_path(path, str(index)) if isinstance(raw, list) else path,
            )
            for index, reference in enumerate(references)
        ]
        return [Command.set(ids)]

    def _webhook_upsert_convert_one2many(self, model, field, line, raw, path):
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise ValueError(_("a list of objects is expected"))
        self._webhook_upsert_check_count(path, raw)
        comodel = model.env[field.comodel_name]
        commands = [Command.clear()]
        for index, item in enumerate(raw):
            values = self._webhook_upsert_prepare_values(
                comodel, item, join_path(path, str(index)), lines=line.child_ids
            )
            commands.append(Command.create(values))
        return commands

    def _webhook_upsert_find_related(self, model, field, line, raw, path):
        """Return the id of the related record the payload's value designates."""
        comodel = model.env[field.comodel_name]
        match = line.relation_match or "name"
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise ValueError(_("a name or an identifier is expected"))
        reference = to_search_value(raw, "char").strip()
        record_id = None
        if match == "field":
            relation_field = comodel._fields[line.relation_field_id.name]
            search_value = to_search_value(reference, relation_field.type)
            if search_value is not None:
                record_id = (
                    comodel.search(
                        [(relation_field.name, "=", search_value)], limit=1
                    ).id
                    or None
                )
        else:
            subfield = {"name": None, "xmlid": "id", "id": ".id"}[match]
            preview = self.env.context.get("webhook_upsert_preview")
            converter = self._webhook_upsert_converter(model, None if preview else line)
            try:
                record_id, _type, _warnings = converter.db_id_for(
                    model, field, subfield, reference
                )
            except ValueError:
                record_id = None
            # ids and external ids are not searched with the user's rights:
            # a record out of the run-as user's reach is answered as missing
            if record_id and not comodel.env.su:
                record_id = comodel.browse(record_id)._filtered_access("read").id
        if not record_id and match == "name" and line.create_missing:
            if self.env.context.get("webhook_upsert_preview"):
                return _("%(name)s (new)", name=reference)
        if not record_id:
            raise WebhookMappingRelationNotFound(
                _(
                    "No %(model)s record matches %(value)s (the payload's %(path)s, "
                    "for %(field)s).",
                    model=comodel._name,
                    value=_short(raw),
                    path=path,
                    field=field.name,
                ),
                details={
                    "path": path,
                    "field": field.name,
                    "value": raw,
                    "model": comodel._name,
                },
            )
        return record_id

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    @api.constrains("state", "webhook_match_field_id", "crud_model_id")
    def _check_webhook_upsert(self):
        for action in self.filtered(lambda action: action.state == "webhook_upsert"):
            if not action.crud_model_id:
                raise ValidationError(
                    _("Choose the model of the records to create or update.")
                )
            match = action.webhook_match_field_id
            if match and match.model_id != action.crud_model_id:
                raise ValidationError(
                    _(
                        "The match field %(field)s is not a field of %(model)s.",
                        field=match.field_description,
                        model=action.crud_model_id.model,
                    )
                )
            if match and match.ttype not in MATCH_TTYPES:
                raise ValidationError(
                    _(
                        "A record cannot be found by %(field)s: match on a text, "
                        "integer or many2one field.",
                        field=match.field_description,
                    )
                )


def _plan_line(line):
    """Return a mapping line as plain data (see _PlanLine)."""
    return {
        "field": line.field_id.name,
        "source": line.source,
        "path": line.path or False,
        "fixed_value": line.fixed_value or False,
        "default_value": line.default_value or False,
        "required": line.required,
        "relation_match": line.relation_match or False,
        "relation_field": line.relation_field_id.name or False,
        "create_missing": line.create_missing,
        "value_format": line.value_format or False,
        "lines": [
            _plan_line(child)
            for child in line.child_ids.sorted(lambda child: (child.sequence, child.id))
        ],
    }


class _PlanLine:
    """A mapping line of the stored plan, read as the line's record would be."""

    __slots__ = (
        "field_id",
        "source",
        "path",
        "fixed_value",
        "default_value",
        "required",
        "relation_match",
        "relation_field_id",
        "create_missing",
        "value_format",
        "child_ids",
    )

    def __init__(self, data):
        self.field_id = _Named(data["field"])
        self.relation_field_id = _Named(data["relation_field"])
        self.child_ids = [_PlanLine(child) for child in data["lines"]]
        for key in (
            "source",
            "path",
            "fixed_value",
            "default_value",
            "required",
            "relation_match",
            "create_missing",
            "value_format",
        ):
            setattr(self, key, data[key])


class _Named:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


def _normalize_key(key):
    """Return ``key`` lowered, without separators (``Phone_No`` → ``phoneno``)."""
    return "".join(char for char in key.lower() if char.isalnum())


def _import_message(exc, field, env):
    """Return the message of an import converter's error, its field named."""
    message = str(exc.args[0]) if exc.args else str(exc)
    try:
        return message % {"field": field._description_string(env)}
    except (KeyError, TypeError, ValueError):
        return message
