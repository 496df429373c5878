# Run by scripts/test through `odoo shell` BEFORE webhook_automation is
# installed: creates a webhook with core's base_automation only, as a customer
# database upgrading to this addon would have. Not a test module.
rule = env["base.automation"].create(
    {
        "name": "Core webhook created before the install",
        "model_id": env["ir.model"]._get("res.partner").id,
        "trigger": "on_webhook",
    }
)
env["ir.actions.server"].create(
    {
        "name": "Mark the partner",
        "model_id": env["ir.model"]._get("res.partner").id,
        "usage": "base_automation",
        "base_automation_id": rule.id,
        "state": "code",
        "code": "record.write({'comment': 'core rule ran'})",
    }
)
env["ir.config_parameter"].set_param(
    "webhook_automation_test.preinstall_uuid", rule.webhook_uuid
)
env.cr.commit()
print("pre-install core webhook:", rule.id)
