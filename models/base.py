# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models

# the context key holding the ChangeRecorder of a webhook dry run
RECORDER_KEY = "webhook_change_recorder"


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
