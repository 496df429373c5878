// Copyright 2026 Webhook Automation authors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

/*
 * An administrator's first outgoing endpoint, from the Webhooks menu: create
 * it with the URL of a receiver on this machine (allowed by its private
 * networks), send a test event and read the result (status, headers sent,
 * body and response), then open the stored message and resend it.
 * tests/test_ui_endpoint_tour.py starts the receiver, puts its URL in the
 * system parameter below, and checks what it received.
 */

const FORM = ".o_form_view";
const RECEIVER_URL_PARAMETER = "webhook_automation.tour_receiver_url";

async function getReceiverUrl() {
    const url = await rpc("/web/dataset/call_kw/ir.config_parameter/get_param", {
        model: "ir.config_parameter",
        method: "get_param",
        args: [RECEIVER_URL_PARAMETER],
        kwargs: {},
    });
    if (!url) {
        throw new Error(`The system parameter ${RECEIVER_URL_PARAMETER} is not set`);
    }
    return url;
}

registry.category("web_tour.tours").add("webhook_automation_endpoint_tour", {
    url: "/odoo/action-webhook_automation.webhook_endpoint_action",
    steps: () => [
        {
            content: "Create an endpoint",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: `${FORM} .o_field_widget[name=name] input`,
            run: "edit Tour receiver",
        },
        {
            content: "Give the URL of the receiver",
            trigger: `${FORM} .o_field_widget[name=url] input`,
            async run(helpers) {
                await helpers.edit(await getReceiverUrl());
            },
        },
        {
            content: "Allow the loopback network, where the receiver listens",
            trigger: `${FORM} .o_field_widget[name=allowed_private_networks] textarea`,
            run: "edit 127.0.0.0/8",
        },
        {
            content: "A signing secret is generated, masked",
            trigger: `${FORM} .o_field_widget[name=signing_secret]`,
        },
        {
            content: "Send a test event (the endpoint is saved first)",
            trigger: `${FORM} .o_statusbar_buttons button:contains(Send Test Event)`,
            run: "click",
        },
        {
            content: "The receiver answered 200: the test event is delivered",
            trigger: ".modal [name=test_delivered] .o_field_widget[name=status_code]:contains(/^200$/)",
        },
        {
            content: "The headers sent are shown, with the signature",
            trigger: ".modal .o_field_widget[name=request_headers]:contains(webhook-signature)",
        },
        {
            content: "Look at the body sent",
            trigger: ".modal .nav-link:contains(Body Sent)",
            run: "click",
        },
        {
            content: "The body is the webhook.test event",
            trigger: ".modal .o_field_widget[name=body]:contains(webhook.test)",
        },
        {
            content: "Look at the response",
            trigger: ".modal .nav-link:contains(Response)",
            run: "click",
        },
        {
            content: "The receiver's answer is shown",
            trigger: ".modal .o_field_widget[name=response_body]:contains(ok)",
        },
        {
            content: "Close the result",
            trigger: ".modal .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "The endpoint has one message now",
            trigger: `${FORM} .oe_stat_button:contains(Messages) .o_stat_value:contains(/^1$/)`,
        },
        {
            content: "Open its messages",
            trigger: `${FORM} .oe_stat_button:contains(Messages)`,
            run: "click",
        },
        {
            content: "The test event is delivered",
            trigger: ".o_list_view .o_data_row:contains(webhook.test) .badge:contains(Delivered)",
        },
        {
            content: "Open the message",
            trigger: ".o_list_view .o_data_row:contains(webhook.test) td[name=event_type]",
            run: "click",
        },
        {
            content: "Its attempt is listed, marked test, answered 200",
            trigger: `${FORM} .o_field_widget[name=attempt_ids] .o_data_row:contains(Test):contains(200)`,
        },
        {
            content: "Resend it",
            trigger: `${FORM} .o_statusbar_buttons button:contains(Resend)`,
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The message waits to be sent again",
            trigger: `${FORM} .o_statusbar_status button.o_arrow_button_current:contains(Pending)`,
        },
        {
            content: "Resend is not offered for a pending message",
            trigger: `${FORM} .o_form_statusbar:not(:has(button[name=action_resend]))`,
        },
    ],
});
