# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

# exception classes a code action may raise to refuse a payload (422)
WEBHOOK_EXCEPTIONS = {
    "ValueError": ValueError,
    "TypeError": TypeError,
    "KeyError": KeyError,
    "LookupError": LookupError,
    "UserError": UserError,
    "ValidationError": ValidationError,
    "AccessError": AccessError,
    "MissingError": MissingError,
}


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    # each call reads its rule's actions by this column: with thousands of
    # rules, core's unindexed lookup costs milliseconds
    base_automation_id = fields.Many2one(index="btree_not_null")

    def _get_eval_context(self, action=None):
        """Give webhook code actions the payload and the common exception classes.

        They may also set ``response`` to a JSON-serializable dict: the 200
        answer of the call carries it under ``data``.
        """
        eval_context = super()._get_eval_context(action=action)
        if "webhook_payload" in self.env.context:
            eval_context.update(WEBHOOK_EXCEPTIONS)
            eval_context["payload"] = self.env.context["webhook_payload"]
            response_data = self.env.context.get("webhook_response")
            eval_context["response"] = response_data.value if response_data else None
        return eval_context

    def _run_action_code_multi(self, eval_context):
        """Keep the ``response`` a webhook code action set, for the call's answer."""
        result = super()._run_action_code_multi(eval_context)
        response_data = self.env.context.get("webhook_response")
        if response_data is not None:
            response_data.value = eval_context.get("response")
        return result

    def _webhook_run_once(self):
        """Run the action once with no active record (webhook without target).

        The action is read as superuser, as ``run()`` does; its rights checks
        and its evaluation context are those of the current (run-as) user.
        """
        self.ensure_one()
        action_sudo = self.sudo()
        runner, multi = action_sudo._get_runner()
        if multi or not runner:
            return self.run()
        # single-record runners loop over active_ids: give them one pass,
        # after the access checks run() would have done
        if (
            action_sudo.groups_id
            and not action_sudo.groups_id & self.env.user.groups_id
        ):
            raise AccessError(
                _("You don't have enough access rights to run this action.")
            )
        self.env[action_sudo.model_id.model].check_access("write")
        eval_context = self._get_eval_context(action_sudo)
        return runner(
            action_sudo.with_context(**eval_context["env"].context),
            eval_context=eval_context,
        )
