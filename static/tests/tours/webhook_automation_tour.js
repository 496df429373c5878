// Copyright 2026 Webhook Automation authors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { registry } from "@web/core/registry";

// The code editors (Target Record, action code) are Ace editors: their text is
// set through Ace's own API, which notifies the field exactly as typing does.
function setAceValue(editorElement, value) {
    const editor = window.ace.edit(editorElement);
    editor.setValue(value);
    editor.clearSelection();
}

const ACTION_CODE = "env['res.partner'].create({'name': payload.get('name', 'nobody')})";

registry.category("web_tour.tours").add("webhook_automation_create_webhook", {
    url: "/odoo/action-webhook_automation.base_automation_action_webhook",
    steps: () => [
        {
            content: "Create a webhook",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Tour webhook",
        },
        {
            content: "Search the Contact model",
            trigger: ".o_form_view .o_field_widget[name=model_id] input",
            run: "edit Contact",
        },
        {
            content: "Pick the Contact model",
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains(/^Contact$/)",
            run: "click",
        },
        {
            content: "The Contact model is set",
            trigger: ".o_form_view .o_field_widget[name=model_id] input:value(/^Contact$/)",
        },
        {
            content: "Clear the Target Record: the actions run once, without record",
            trigger: ".o_form_view .o_field_widget[name=record_getter] .ace_editor",
            run() {
                setAceValue(this.anchor, "");
            },
        },
        {
            content: "The Target Record is empty",
            trigger:
                ".o_form_view .o_field_widget[name=record_getter] .ace_text-layer:not(:contains(payload))",
        },
        {
            content: "Add an action",
            trigger:
                ".o_form_view .o_field_widget[name=action_server_ids] .o_cp_buttons button:contains(Add an action)",
            run: "click",
        },
        {
            content: "Choose the Execute Code type",
            trigger:
                ".modal .o_field_widget[name=state] .o_selection_badge:contains(/^Execute Code$/)",
            run: "click",
        },
        {
            content: "Write the code creating a contact from the payload",
            trigger: ".modal .o_field_widget[name=code] .ace_editor",
            run() {
                setAceValue(this.anchor, ACTION_CODE);
            },
        },
        {
            content: "The code is in the editor",
            trigger: ".modal .o_field_widget[name=code] .ace_text-layer:contains(payload.get)",
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
            trigger:
                ".o_form_view .o_field_widget[name=action_server_ids] .o_kanban_record:contains(Execute Code)",
        },
        {
            content: "Save the webhook",
            trigger: ".o_form_view .o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "The webhook is saved",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "The URL of the webhook is shown",
            trigger: ".o_form_view .o_field_widget[name=url]:contains(/web/hook/)",
        },
        {
            content: "The secret can be rotated",
            trigger: ".o_form_view button[name=action_rotate_webhook_uuid]:contains(Rotate Secret)",
        },
        {
            content: "No call is logged yet",
            trigger:
                ".o_form_view button[name=action_view_webhook_logs]:contains(Logs) .o_stat_value:contains(/^0$/)",
        },
    ],
});
