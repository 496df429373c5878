// Copyright 2026 Webhook Automation authors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { registry } from "@web/core/registry";

/*
 * An administrator's first webhook, from the Webhooks menu: create it on
 * Contact, find the target by its Reference, add an Update Record action, then
 * try a payload in the Test tab (dry run, then for real), find the call in the
 * logs, pause and resume it, and rotate the secret. tests/test_ui_tour.py prepares the contact
 * "Tour Customer" (Reference T-1) and checks the database afterwards.
 */

const FORM = ".o_form_view";
const PAYLOAD = '{"customer": {"ref": "T-1"}}';

// The payload editor is an Ace editor: its text is set through Ace's own API,
// which notifies the field exactly as typing does.
function setAceValue(editorElement, value) {
    const editor = window.ace.edit(editorElement);
    editor.setValue(value);
    editor.clearSelection();
}

async function waitFor(condition, what, timeout = 10000) {
    const start = Date.now();
    while (!condition()) {
        if (Date.now() - start > timeout) {
            throw new Error(`Timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

// the URL shown before the rotation, to check that it changed
let urlBeforeRotation = null;

registry.category("web_tour.tours").add("webhook_automation_tour", {
    url: "/odoo/action-webhook_automation.base_automation_action_webhook",
    steps: () => [
        // --- create the webhook -------------------------------------------
        {
            content: "Create a webhook",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: `${FORM} .o_field_widget[name=name] input`,
            run: "edit Tour webhook",
        },
        {
            content: "Search the Contact model",
            trigger: `${FORM} .o_field_widget[name=model_id] input`,
            run: "edit Contact",
        },
        {
            content: "Pick the Contact model",
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains(/^Contact$/)",
            run: "click",
        },
        {
            content: "The Contact model is set",
            trigger: `${FORM} .o_field_widget[name=model_id] input:value(/^Contact$/)`,
        },
        {
            content: "A new webhook finds its target with core's Python expression",
            trigger: `${FORM} .o_field_widget[name=webhook_target_mode] input[data-value=expression]:checked`,
        },
        {
            content: "Choose to find the target record by a field",
            trigger: `${FORM} .o_field_widget[name=webhook_target_mode] label:contains(/^Find by field$/)`,
            run: "click",
        },
        {
            content: "The field to search by is asked for",
            trigger: `${FORM} .o_field_widget[name=webhook_target_field_id] input`,
            run: "edit Reference",
        },
        {
            content: "Pick the Reference field of contacts",
            trigger:
                ".o-autocomplete--dropdown-menu .dropdown-item:contains(/^Reference \\(Contact\\)$/)",
            run: "click",
        },
        {
            content: "Find by field is still chosen",
            trigger: `${FORM} .o_field_widget[name=webhook_target_mode] input[data-value=field]:checked`,
        },
        {
            content: "The Reference field is set",
            trigger: `${FORM} .o_field_widget[name=webhook_target_field_id] input:value(/^Reference/)`,
        },
        {
            content: "Say where the reference is in the payload",
            trigger: `${FORM} .o_field_widget[name=webhook_target_payload_key] input`,
            run: "edit customer.ref",
        },
        {
            content: "The target is found by the Reference in customer.ref",
            trigger:
                `${FORM}:has(.o_field_widget[name=webhook_target_mode] input[data-value=field]:checked)` +
                " .o_field_widget[name=webhook_target_payload_key] input:value(/^customer\\.ref$/)",
        },
        // --- its action ------------------------------------------------------
        {
            content: "Add an action",
            trigger: `${FORM} .o_field_widget[name=action_server_ids] .o_cp_buttons button:contains(Add an action)`,
            run: "click",
        },
        {
            content: "Choose the Update Record type",
            trigger: ".modal .o_field_widget[name=state] .o_selection_badge:contains(/^Update Record$/)",
            run: "click",
        },
        {
            content: "Open the field chooser",
            trigger: ".modal .o_field_widget[name=update_path] .o_model_field_selector",
            run: "click",
        },
        {
            content: "Search the Job Position field",
            trigger: ".o_model_field_selector_popover .o_model_field_selector_popover_search input",
            run: "edit Job Position",
        },
        {
            content: "Pick the Job Position field",
            trigger:
                ".o_model_field_selector_popover .o_model_field_selector_popover_page li[data-name=function] button",
            run: "click",
        },
        {
            content: "Set the value written to the contact",
            trigger: ".modal .o_field_widget[name=value] textarea",
            run: "edit Webhook tested",
        },
        {
            content: "Save the action",
            trigger: ".modal .modal-footer .o_form_button_save",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The action is listed",
            trigger: `${FORM} .o_field_widget[name=action_server_ids] .o_kanban_record:contains(Update Record)`,
        },
        {
            content: "Save the webhook",
            trigger: `${FORM} .o_form_button_save:enabled`,
            run: "click",
        },
        {
            content: "The webhook is saved",
            trigger: `${FORM} .o_form_saved`,
        },
        {
            content: "The URL of the webhook is shown",
            trigger: `${FORM} .o_field_widget[name=url]:contains(/web/hook/)`,
        },
        {
            content: "No call is logged yet",
            trigger: `${FORM} button[name=action_view_webhook_logs] .o_stat_value:contains(/^0$/)`,
        },
        // --- the test console: dry run -----------------------------------------
        {
            content: "Open the Test tab",
            trigger: `${FORM} .o_notebook .nav-link:contains(/^Test$/)`,
            run: "click",
        },
        {
            content: "Type the payload of a call about Tour Customer",
            trigger: `${FORM} .o_field_widget[name=webhook_test_payload] .ace_editor`,
            run() {
                setAceValue(this.anchor, PAYLOAD);
            },
        },
        {
            content: "The payload is in the editor",
            trigger: `${FORM} .o_field_widget[name=webhook_test_payload] .ace_text-layer:contains(T-1)`,
        },
        {
            content: "Dry run",
            trigger: `${FORM} button[name=action_webhook_test_dry_run]`,
            run: "click",
        },
        {
            content: "The answer is a dry run's",
            trigger: `${FORM} .o_field_widget[name=webhook_test_result_kind]:contains(/^Dry run$/)`,
        },
        {
            content: "The dry run answered 200",
            trigger: `${FORM} .o_field_widget[name=webhook_test_result_status]:contains(/^200$/)`,
        },
        {
            content: "The changes list Tour Customer's Job Position, old → new",
            trigger:
                `${FORM} .o_field_widget[name=webhook_test_changes_html] table.o_webhook_test_changes ` +
                'tbody tr:contains(Updated):contains(res.partner):contains(Tour Customer):contains(/function: false → "Webhook tested"/)',
        },
        {
            content: "Nothing was kept: still no call logged",
            trigger: `${FORM} button[name=action_view_webhook_logs] .o_stat_value:contains(/^0$/)`,
        },
        // --- the test console: for real -----------------------------------------
        {
            content: "Send for real",
            trigger: `${FORM} button[name=action_webhook_test_send]`,
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:contains(Send this payload for real) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The answer is a real call's",
            trigger: `${FORM} .o_field_widget[name=webhook_test_result_kind]:contains(/^Sent for real$/)`,
        },
        {
            content: "The real call answered 200",
            trigger: `${FORM} .o_field_widget[name=webhook_test_result_status]:contains(/^200$/)`,
        },
        {
            content: "The real call changed Tour Customer's Job Position",
            trigger:
                `${FORM} .o_field_widget[name=webhook_test_changes_html] table.o_webhook_test_changes ` +
                'tbody tr:contains(Tour Customer):contains(/function: false → "Webhook tested"/)',
        },
        {
            content: "One call is logged",
            trigger: `${FORM} button[name=action_view_webhook_logs] .o_stat_value:contains(/^1$/)`,
        },
        // --- the logs ------------------------------------------------------------
        {
            content: "Open the logs",
            trigger: `${FORM} button[name=action_view_webhook_logs]`,
            run: "click",
        },
        {
            content: "The logs are opened from the webhook",
            trigger: ".o_list_view:has(.o_control_panel .o_back_button:contains(Tour webhook))",
        },
        {
            content: "The call is listed, with status 200, done",
            trigger:
                ".o_list_view .o_data_row:has(td[name=automation_id]:contains(Tour webhook))" +
                ":has(td[name=status_code]:contains(/^200$/)):has(td[name=state]:contains(Done))",
        },
        {
            content: "It is the only call",
            trigger: ".o_list_view tbody:not(:has(.o_data_row ~ .o_data_row))",
        },
        {
            content: "Back to the webhook",
            trigger: ".o_control_panel .breadcrumb-item.o_back_button a:contains(Tour webhook)",
            run: "click",
        },
        // --- pause and resume ------------------------------------------------------
        {
            content: "Pause the webhook",
            trigger: `${FORM} button[name=action_webhook_pause]`,
            run: "click",
        },
        {
            content: "Confirm the pause",
            trigger: ".modal:contains(A paused webhook answers 503) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "It shows as paused, with Resume instead of Pause",
            trigger:
                `${FORM}:has(.o_widget_web_ribbon:contains(Paused))` +
                `:not(:has(button[name=action_webhook_pause])) button[name=action_webhook_resume]`,
        },
        {
            content: "Resume the webhook",
            trigger: `${FORM} button[name=action_webhook_resume]`,
            run: "click",
        },
        {
            content: "It is no longer paused",
            trigger: `${FORM}:not(:has(.o_widget_web_ribbon:contains(Paused))) button[name=action_webhook_pause]`,
        },
        // --- rotate the secret ---------------------------------------------------
        {
            content: "Note the current URL",
            trigger: `${FORM} .o_field_widget[name=url]:contains(/web/hook/)`,
            run() {
                urlBeforeRotation = this.anchor.textContent.trim();
            },
        },
        {
            content: "Rotate the secret",
            trigger: `${FORM} button[name=action_rotate_webhook_uuid]:contains(Rotate Secret)`,
            run: "click",
        },
        {
            content: "Confirm the rotation",
            trigger: ".modal:contains(Rotating the secret changes the URL) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The URL changed",
            trigger: `${FORM} .o_field_widget[name=url]:contains(/web/hook/)`,
            async run() {
                const shownUrl = () =>
                    document.querySelector(`${FORM} .o_field_widget[name=url]`)?.textContent.trim();
                await waitFor(
                    () => shownUrl()?.includes("/web/hook/") && shownUrl() !== urlBeforeRotation,
                    `the URL to change from ${urlBeforeRotation}`
                );
            },
        },
    ],
});
