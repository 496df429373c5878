// Copyright 2026 Webhook Automation authors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import "@base_automation/base_automation_actions_one2many_field";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

/*
 * The automation rules' kanban lists the types of their actions with a fixed
 * list of labels: add the Create/Update from Payload one.
 */
const UPSERT_STATE = "webhook_upsert";
const UPSERT_LABEL = _t("Create/Update from Payload");

const actionsField = registry.category("fields").get("base_automation_actions_one2many", null);
if (actionsField) {
    const component = actionsField.component;
    component.actionStates = { ...component.actionStates, [UPSERT_STATE]: UPSERT_LABEL };
    const stateField = actionsField.relatedFields?.find((field) => field.name === "state");
    if (stateField && !stateField.selection.some(([value]) => value === UPSERT_STATE)) {
        stateField.selection.push([UPSERT_STATE, UPSERT_LABEL]);
    }
}
