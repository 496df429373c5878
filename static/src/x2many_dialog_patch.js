// Copyright 2026 Webhook Automation authors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { patch } from "@web/core/utils/patch";
import { X2ManyFieldDialog } from "@web/views/fields/relational_utils";

/*
 * A new action of a webhook, in its dialog, is saved to the database when one
 * of its buttons is clicked (Suggest Mappings). Its list then links it as it
 * was at that time, dropping what is changed afterwards in the dialog (the
 * match field, for one). Such an action is saved again on Save: it is in the
 * database already, and keeps what the dialog shows.
 */
patch(X2ManyFieldDialog.prototype, {
    async beforeExecuteActionButton(clickParams) {
        const wasNew = this.record.isNew;
        const result = await super.beforeExecuteActionButton(clickParams);
        if (wasNew && this.record.resModel === "ir.actions.server" && !this.record.isNew) {
            this.savedByButton = true;
        }
        return result;
    },

    async save(...args) {
        if (this.savedByButton && this.record.resId && this.record.dirty) {
            const saved = await this.record.save({ reload: false });
            if (!saved) {
                return false;
            }
            this.savedByButton = false;
        }
        return super.save(...args);
    },
});
