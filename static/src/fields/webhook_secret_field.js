// Copyright 2026 Webhook Automation authors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";
import {
    CopyClipboardCharField,
    copyClipboardCharField,
} from "@web/views/fields/copy_clipboard/copy_clipboard_field";

/*
 * A secret shown masked, like a password, with a button copying it in clear.
 */
export class WebhookSecretField extends CopyClipboardCharField {
    get fieldProps() {
        return { ...super.fieldProps, isPassword: true };
    }
}

registry.category("fields").add("webhook_secret_copy", {
    ...copyClipboardCharField,
    component: WebhookSecretField,
    displayName: _t("Masked Secret with Copy"),
});
