// Copyright 2026 Webhook Automation authors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { CharField, charField } from "@web/views/fields/char/char_field";

const DEFAULT_SUGGESTIONS_FIELD = "path_suggestions";
let datalistCount = 0;

/**
 * A payload path: a text input whose browser suggestions are the paths of the
 * sample payload (a JSON list of strings in another field of the record,
 * ``path_suggestions`` unless the ``suggestions_field`` option says otherwise),
 * through an HTML <datalist>.
 */
export class WebhookPathField extends CharField {
    static template = "webhook_automation.WebhookPathField";
    static props = {
        ...CharField.props,
        suggestionsField: { type: String, optional: true },
    };
    static defaultProps = {
        ...CharField.defaultProps,
        suggestionsField: DEFAULT_SUGGESTIONS_FIELD,
    };

    setup() {
        super.setup();
        this.datalistId = `o_webhook_path_suggestions_${++datalistCount}`;
    }

    /** The sample's paths, without duplicates, as offered to the browser. */
    get suggestions() {
        let paths = asPaths(this.props.record.data[this.props.suggestionsField]);
        if (!paths.length) {
            paths = this.parentItemPaths;
        }
        return [...new Set(paths)];
    }

    /**
     * The paths inside an item of the parent's list, for a line of a line not
     * saved yet (whose own suggestions the server cannot compute): the
     * parent's ``items.0.sku`` gives ``sku`` when the parent's path is ``items``.
     */
    get parentItemPaths() {
        const parent = this.props.record.evalContext.parent;
        const parentPath = typeof parent?.path === "string" ? parent.path.trim() : "";
        if (!parentPath) {
            return [];
        }
        const prefix = `${parentPath}.0.`;
        return asPaths(parent[this.props.suggestionsField])
            .filter((path) => path.startsWith(prefix))
            .map((path) => path.slice(prefix.length));
    }
}

function asPaths(value) {
    return Array.isArray(value) ? value.filter((path) => typeof path === "string" && path) : [];
}

export const webhookPathField = {
    ...charField,
    component: WebhookPathField,
    displayName: _t("Payload Path"),
    supportedOptions: [
        ...(charField.supportedOptions || []),
        {
            label: _t("Suggestions"),
            name: "suggestions_field",
            type: "field",
            availableTypes: ["json"],
            help: _t("A field holding the list of paths to suggest while typing."),
        },
    ],
    fieldDependencies: ({ options }) => [
        {
            name: options.suggestions_field || DEFAULT_SUGGESTIONS_FIELD,
            type: "json",
        },
    ],
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...charField.extractProps(fieldInfo, dynamicInfo),
        suggestionsField: fieldInfo.options.suggestions_field || DEFAULT_SUGGESTIONS_FIELD,
    }),
};

registry.category("fields").add("webhook_path", webhookPathField);
