# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Webhook Automation",
    "summary": "First-class incoming webhooks: Studio-style UI, signatures, "
    "idempotency, async processing with retries, replay, clear errors and "
    "structured call logs",
    "version": "18.0.1.9.0",
    "category": "Productivity",
    "website": "https://github.com/webhook-automation/webhook_automation",
    "author": "Webhook Automation authors",
    "license": "LGPL-3",
    "depends": ["base_automation", "base_setup", "queue_job"],
    "data": [
        "security/webhook_automation_groups.xml",
        "security/ir.model.access.csv",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "data/queue_job_data.xml",
        "data/webhook_outgoing_data.xml",
        "views/webhook_call_log_views.xml",
        "views/base_automation_views.xml",
        "views/res_config_settings_views.xml",
        "views/ir_actions_server_views.xml",
        "views/webhook_payload_mapping_views.xml",
        "views/webhook_mapping_suggest_views.xml",
        "views/webhook_endpoint_wizard_views.xml",
        "views/webhook_endpoint_views.xml",
        "views/webhook_outgoing_message_views.xml",
        "views/webhook_outgoing_attempt_views.xml",
        "views/ir_actions_server_outgoing_views.xml",
        "views/webhook_automation_menus.xml",
    ],
    "demo": [
        "demo/webhook_automation_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "webhook_automation/static/src/**/*.js",
            "webhook_automation/static/src/**/*.xml",
        ],
        "web.assets_tests": [
            "webhook_automation/static/tests/tours/*.js",
        ],
    },
    "pre_init_hook": "pre_init_hook",
}
