// Copyright 2026 Webhook Automation authors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { X2ManyField, x2ManyField } from "@web/views/fields/x2many/x2many_field";
import { ListRenderer } from "@web/views/list/list_renderer";

// the column of a mapping line that opens its form, to map a one2many's lines
const LINES_FIELD = "child_ids";

/**
 * The mapping lines of a Create/Update from Payload action: edited in the list,
 * except the line fields of a one2many, whose cell opens the line's form (with
 * its own list of line fields) in a dialog.
 */
export class WebhookMappingListRenderer extends ListRenderer {
    async onCellClicked(record, column, ev) {
        if (column.name === LINES_FIELD && record.data.field_type === "one2many") {
            const left = await this.props.list.leaveEditMode({ validate: true });
            if (left) {
                await this.props.openRecord(record);
            }
            return;
        }
        return super.onCellClicked(record, column, ev);
    }
}

export class WebhookMappingOne2ManyField extends X2ManyField {
    static components = { ...X2ManyField.components, ListRenderer: WebhookMappingListRenderer };

    async openRecord(record) {
        // an editable list opens no form: the line fields cell does
        return this._openRecord({
            record,
            context: this.props.context,
            mode: this.props.readonly ? "readonly" : "edit",
        });
    }
}

export const webhookMappingOne2ManyField = {
    ...x2ManyField,
    component: WebhookMappingOne2ManyField,
    displayName: _t("Payload Mapping"),
    supportedTypes: ["one2many"],
};

registry.category("fields").add("webhook_mapping_one2many", webhookMappingOne2ManyField);

/** The line fields of a one2many mapping line, in its list: a link to edit them. */
export class WebhookMappingLinesField extends Component {
    static template = "webhook_automation.WebhookMappingLinesField";
    static props = { ...standardFieldProps };

    get count() {
        return this.props.record.data[this.props.name].currentIds.length;
    }

    get label() {
        const count = this.count;
        if (!count) {
            return _t("Map the lines");
        }
        return count === 1 ? _t("1 line field") : _t("%s line fields", count);
    }
}

export const webhookMappingLinesField = {
    component: WebhookMappingLinesField,
    displayName: _t("Mapping Line Fields"),
    supportedTypes: ["one2many"],
};

registry.category("fields").add("webhook_mapping_lines", webhookMappingLinesField);
