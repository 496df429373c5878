# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


def post_init_hook(env):
    """Keep GET working on the webhooks created before the install, as in core."""
    env["base.automation"].with_context(active_test=False).search(
        [("trigger", "=", "on_webhook")]
    ).write({"webhook_allow_get": True})
