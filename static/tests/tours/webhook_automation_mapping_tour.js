// Copyright 2026 Webhook Automation authors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { registry } from "@web/core/registry";

/*
 * A no-code mapping, set up from a sample: on a webhook on Contact whose test
 * payload is the Odoo documentation's contact, add a Create/Update from Payload
 * action, check its sample is pre-filled, let Suggest Mappings map name, email
 * and phone, match contacts by email, check the preview, save, then dry-run
 * the payload from the Test tab. tests/test_ui_mapping_tour.py creates the
 * webhook and checks that nothing was written but the mapping.
 */

const FORM = ".o_form_view";
const DIALOG = ".modal:not(.o_inactive_modal)";
const MAPPING = `${DIALOG} .o_field_widget[name=webhook_mapping_ids]`;
const SUGGESTIONS = `${DIALOG} .o_field_widget[name=line_ids]`;

// a row of the Suggest Mappings dialog: its path, checked, with a field
function suggestedRow(path, field) {
    return (
        `${SUGGESTIONS} .o_data_row:has(td[name=path]:contains(/^${path}$/))` +
        `:has(td[name=field_id]:contains(/^${field}/)):has(td[name=selected] input:checked)`
    );
}

// a mapping line of the action: the field it fills from a path
function mappingRow(field, path) {
    return (
        `${MAPPING} .o_data_row:has(td[name=field_id]:contains(/^${field}/))` +
        `:has(td[name=path]:contains(/^${path}$/))`
    );
}

registry.category("web_tour.tours").add("webhook_automation_mapping_tour", {
    steps: () => [
        {
            content: "The webhook is opened",
            trigger: `${FORM} .o_field_widget[name=name] input:value(/^Mapping tour webhook$/)`,
        },
        // --- the action ---------------------------------------------------------
        {
            content: "Add an action",
            trigger: `${FORM} .o_field_widget[name=action_server_ids] .o_cp_buttons button:contains(Add an action)`,
            run: "click",
        },
        {
            content: "Choose the Create/Update from Payload type",
            trigger: `${DIALOG} .o_field_widget[name=state] .o_selection_badge:contains(/^Create\\/Update from Payload$/)`,
            run: "click",
        },
        {
            content: "The type is kept: the form's values survive the onchange (and its preview)",
            trigger: `${DIALOG} .o_field_widget[name=state] .o_selection_badge.active:contains(/^Create\\/Update from Payload$/)`,
        },
        {
            content: "It creates or updates contacts",
            trigger: `${DIALOG} .o_field_widget[name=crud_model_id] input:value(/^Contact$/)`,
        },
        {
            content: "The sample is pre-filled with the webhook's test payload",
            trigger: `${DIALOG} .o_field_widget[name=webhook_upsert_sample] .ace_text-layer:contains(Ada Lovelace)`,
        },
        {
            content: "Nothing is mapped yet",
            trigger: `${MAPPING} tbody:not(:has(.o_data_row))`,
        },
        // --- suggest mappings ------------------------------------------------------
        {
            content: "Suggest mappings from the sample",
            trigger: `${DIALOG} button[name=action_webhook_suggest_mappings]`,
            run: "click",
        },
        {
            content: "name is suggested for the Name field",
            trigger: suggestedRow("name", "Name"),
        },
        {
            content: "email is suggested for the Email field",
            trigger: suggestedRow("email", "Email"),
        },
        {
            content: "phone is suggested for the Phone field",
            trigger: suggestedRow("phone", "Phone"),
        },
        {
            content: "The sample's value is shown next to its path",
            trigger: `${SUGGESTIONS} .o_data_row:has(td[name=path]:contains(/^email$/)) td[name=value]:contains(ada@example.com)`,
        },
        {
            content: "Add the mappings",
            trigger: `${DIALOG} .modal-footer button[name=action_add_mappings]`,
            run: "click",
        },
        {
            content: "Back to the action: name is mapped",
            trigger: mappingRow("Name", "name"),
        },
        {
            content: "email is mapped",
            trigger: mappingRow("Email", "email"),
        },
        {
            content: "phone is mapped",
            trigger: mappingRow("Phone", "phone"),
        },
        // --- the match ---------------------------------------------------------------
        {
            content: "Search the Email field to match contacts by",
            trigger: `${DIALOG} .o_field_widget[name=webhook_match_field_id] input`,
            run: "edit Email",
        },
        {
            content: "Pick the Email field of contacts",
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains(/^Email$/)",
            run: "click",
        },
        {
            content: "The match field is set",
            trigger: `${DIALOG} .o_field_widget[name=webhook_match_field_id] input:value(/^Email/)`,
        },
        {
            content: "The email is at the payload's email",
            trigger: `${DIALOG} .o_field_widget[name=webhook_match_path] input`,
            run: "edit email",
        },
        {
            content: "The match path is set",
            trigger: `${DIALOG} .o_field_widget[name=webhook_match_path] input:value(/^email$/)`,
        },
        // --- path suggestions and preview ------------------------------------------------
        {
            content: "Edit the path of the phone line",
            trigger: `${MAPPING} .o_data_row:has(td[name=field_id]:contains(/^Phone/)) td[name=path]`,
            run: "click",
        },
        {
            content: "The path input suggests the sample's paths",
            trigger:
                `${MAPPING} .o_selected_row .o_field_widget[name=path]` +
                ":has(datalist option[value=name]):has(datalist option[value=email])" +
                ":has(datalist option[value=phone]) input[list]",
        },
        {
            content: "The preview shows the contact the sample would create",
            trigger:
                `${DIALOG} .o_field_widget[name=webhook_upsert_preview]` +
                ":contains(Would create a Contact):contains(Ada Lovelace)" +
                ":contains(ada@example.com):contains(+32 2 555 01 01)",
        },
        {
            content: "Save the action",
            trigger: `${DIALOG} .modal-footer .o_form_button_save`,
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The action is listed",
            trigger: `${FORM} .o_field_widget[name=action_server_ids] .o_kanban_record:contains(Create/Update from Payload)`,
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
        // --- dry run ---------------------------------------------------------------
        {
            content: "Open the Test tab",
            trigger: `${FORM} .o_notebook .nav-link:contains(/^Test$/)`,
            run: "click",
        },
        {
            content: "The test payload is the contact",
            trigger: `${FORM} .o_field_widget[name=webhook_test_payload] .ace_text-layer:contains(ada@example.com)`,
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
            content: "The changes report the contact created",
            trigger:
                `${FORM} .o_field_widget[name=webhook_test_changes_html] table.o_webhook_test_changes ` +
                "tbody tr:contains(Created):contains(res.partner):contains(Ada Lovelace)",
        },
    ],
});
