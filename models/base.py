# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models, tools
from odoo.tools import SQL

# the context key holding the ChangeRecorder of a webhook dry run
RECORDER_KEY = "webhook_change_recorder"
# the attribute of a dry run's cursor holding its ChangeRecorder: code that
# runs without the context (e.g. mail sending) still knows it is a dry run
DRY_RUN_CURSOR_ATTR = "_webhook_dry_run"


class Base(models.AbstractModel):
    _inherit = "base"

    @api.model_create_multi
    def create(self, vals_list):
        """Report the records a webhook dry run creates."""
        records = super().create(vals_list)
        recorder = self.env.context.get(RECORDER_KEY)
        if recorder is not None and not self._transient:
            for record in records:
                recorder.created(self._name, record.id, record._webhook_change_name())
        return records

    def write(self, vals):
        """Report the fields a webhook dry run changes, old and new values."""
        recorder = self.env.context.get(RECORDER_KEY)
        if recorder is None or self._transient:
            return super().write(vals)
        names = [
            name for name in vals if name in self._fields and self._fields[name].store
        ]
        old = {record.id: record._webhook_change_values(names) for record in self}
        result = super().write(vals)
        for record in self:
            new = record._webhook_change_values(names)
            recorder.updated(
                self._name,
                record.id,
                record._webhook_change_name(),
                {name: (old[record.id][name], new[name]) for name in names},
            )
        return result

    def unlink(self):
        """Report the records a webhook dry run deletes."""
        recorder = self.env.context.get(RECORDER_KEY)
        if recorder is not None and not self._transient:
            for record in self:
                recorder.deleted(self._name, record.id, record._webhook_change_name())
        return super().unlink()

    @api.model
    def _webhook_get_int_param(self, key, default, minimum=None):
        """Return the integer system parameter ``key``, at least ``minimum``.

        ``default`` if the parameter is unset or not an integer; a value
        below ``minimum`` counts as ``minimum``.
        """
        params_sudo = self.env["ir.config_parameter"].sudo()
        value = params_sudo.get_param(key)
        try:
            number = int(value) if value else default
        except ValueError:
            number = default
        return number if minimum is None else max(number, minimum)

    @api.model
    def _webhook_get_insert_sql(self, values, on_conflict=None):
        """Return the INSERT of one row of ``values``, as ORM create() writes it.

        ``values`` are in the format of create(), stored columns only; the
        access columns (create_uid, create_date...) are added when the model
        has them; a value may be an ``SQL`` expression, inserted as it is.
        ``on_conflict`` (``SQL``) follows ``ON CONFLICT``. Nothing else of
        create() happens: no default, computed field, constraint, override
        or cache update. The query returns the id.
        """
        return SQL(
            "INSERT INTO %s (%s) VALUES %s %s RETURNING id",
            SQL.identifier(self._table),
            self._webhook_get_insert_columns(tuple(values)),
            self._webhook_get_insert_row(values),
            SQL("ON CONFLICT %s", on_conflict) if on_conflict is not None else SQL(),
        )

    @api.model
    def _webhook_get_insert_rows_sql(self, values_list):
        """Return the INSERT of several rows, all with the keys of the first one.

        As :meth:`_webhook_get_insert_sql`, in one statement; returns the ids.
        """
        names = tuple(values_list[0])
        if any(tuple(values) != names for values in values_list):
            raise ValueError("The rows of one INSERT must have the same fields.")
        return SQL(
            "INSERT INTO %s (%s) VALUES %s RETURNING id",
            SQL.identifier(self._table),
            self._webhook_get_insert_columns(names),
            SQL(", ").join(
                self._webhook_get_insert_row(values) for values in values_list
            ),
        )

    @api.model
    def _webhook_get_insert_row(self, values):
        """Return the parenthesized SQL values of one row (access columns added)."""
        params = [
            value
            if isinstance(value, SQL)  # an expression, e.g. the id of a CTE
            else self._fields[name].convert_to_column_insert(value, self, values)
            for name, value in values.items()
        ]
        if self._log_access:
            now = SQL("(now() AT TIME ZONE 'UTC')")
            params.extend((self.env.uid, self.env.uid, now, now))
        return SQL("(%s)", SQL(", ").join(params))

    @api.model
    @tools.ormcache("names")
    def _webhook_get_insert_columns(self, names):
        """Return the SQL list of the columns of an INSERT of fields ``names``.

        The access columns follow when the model has them, in the order
        ``_webhook_get_insert_sql()`` gives their values. Built once.
        """
        columns = []
        for name in names:
            field = self._fields[name]
            if not (field.store and field.column_type):
                raise ValueError(f"{self._name}.{name} is not a stored column")
            columns.append(SQL.identifier(name))
        if self._log_access:
            columns.extend(
                SQL.identifier(name)
                for name in ("create_uid", "write_uid", "create_date", "write_date")
            )
        return SQL(", ").join(columns)

    def _webhook_change_name(self):
        """Return the display name of a changed record, as the console shows it."""
        self.ensure_one()
        record_sudo = self.sudo()
        try:
            return record_sudo.display_name
        except Exception:  # pylint: disable=broad-except
            return f"{self._name},{self.id}"

    def _webhook_change_values(self, names):
        """Return the values of fields ``names`` as the console shows them."""
        self.ensure_one()
        record_sudo = self.sudo()
        values = {}
        for name in names:
            field = self._fields[name]
            value = record_sudo[name]
            if field.type == "many2one":
                value = value.display_name or False
            elif field.type in ("one2many", "many2many"):
                value = value.ids
            elif field.type in ("date", "datetime"):
                value = value and value.isoformat()
            elif field.type == "binary":
                value = bool(value)
            values[name] = value
        return values
