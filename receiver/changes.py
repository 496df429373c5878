# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a dry run would change: records created, updated and deleted.

The ORM reports each create, write and unlink to the recorder found in the
context (see ``models/base.py``); the recorder keeps them in order and sums
them up for the test console.

>>> recorder = ChangeRecorder()
>>> recorder.created("res.partner", 7, "Ada")
>>> recorder.updated("res.partner", 7, "Ada", {"email": (False, "ada@example.com")})
>>> recorder.updated("res.partner", 7, "Ada", {"email": ("ada@example.com", "a@b.c")})
>>> [(c["operation"], c["model"], c["id"]) for c in recorder.summary()]
[('create', 'res.partner', 7)]
>>> recorder.summary()[0]["fields"]
{'email': [False, 'a@b.c']}

A record written while it is being created is still a creation, and the
chatter's bookkeeping is left out:

>>> recorder = ChangeRecorder()
>>> recorder.updated("res.partner", 8, "Bob", {"ref": (False, False)})
>>> recorder.created("res.partner", 8, "Bob")
>>> recorder.created("mail.message", 3, "")
>>> [(c["operation"], c["model"], c["id"]) for c in recorder.summary()]
[('create', 'res.partner', 8)]

What cannot run in a dry run is noted too: the mails it did not send come
after the record changes, and a refused commit is flagged:

>>> recorder = ChangeRecorder()
>>> recorder.mail_not_sent("Welcome", "ada@example.com")
>>> [(c["operation"], c["name"], c["recipients"]) for c in recorder.summary()]
[('mail', 'Welcome', 'ada@example.com')]
>>> recorder.commit_refused
False
"""

# bookkeeping of the chatter and of the web client, not business records
IGNORED_MODELS = frozenset(
    {
        "bus.bus",
        "mail.followers",
        "mail.message",
        "mail.notification",
        "mail.tracking.value",
    }
)


class ChangeRecorder:
    """Collect the changes of a dry run (hashable by identity, for the context)."""

    def __init__(self):
        self._changes = {}  # (model, id) -> change, in order of first change
        self._mails = []  # the mails held back, in order
        # whether the actions tried to commit the dry run's transaction
        self.commit_refused = False

    def _change(self, model, res_id, name, operation):
        key = (model, res_id)
        if key not in self._changes:
            self._changes[key] = {
                "operation": operation,
                "model": model,
                "id": res_id,
                "name": name,
                "fields": {},
            }
        change = self._changes[key]
        change["name"] = name or change["name"]
        return change

    def created(self, model, res_id, name):
        """Record that a record was created (writes during its creation included)."""
        if model in IGNORED_MODELS:
            return
        self._change(model, res_id, name, "create")["operation"] = "create"

    def updated(self, model, res_id, name, values):
        """Record field changes ``{field: (old, new)}`` of a record."""
        if model in IGNORED_MODELS:
            return
        change = self._change(model, res_id, name, "write")
        for field_name, (old, new) in values.items():
            if field_name in change["fields"]:
                old = change["fields"][field_name][0]
            change["fields"][field_name] = [old, new]

    def deleted(self, model, res_id, name):
        """Record that a record was deleted."""
        if model in IGNORED_MODELS:
            return
        change = self._change(model, res_id, name, "unlink")
        if change["operation"] == "create":
            del self._changes[(model, res_id)]  # created and deleted: no change
        else:
            change["operation"] = "unlink"

    def mail_not_sent(self, subject, recipients):
        """Record a mail the dry run did not send (recipients as one text)."""
        self._mails.append(
            {
                "operation": "mail",
                "model": "",
                "id": False,
                "name": subject,
                "fields": {},
                "recipients": recipients,
            }
        )

    def summary(self):
        """Return the changes: dicts of operation, model, id, name and fields.

        On a created record, ``fields`` lists what was written after its
        creation; unchanged values are left out of updates. The mails not
        sent follow, as operation ``mail`` with their subject as name and
        their ``recipients``.
        """
        result = []
        for change in self._changes.values():
            fields = {
                name: values
                for name, values in change["fields"].items()
                if values[0] != values[1]
            }
            if change["operation"] == "write" and not fields:
                continue
            result.append({**change, "fields": fields})
        result.extend(dict(mail) for mail in self._mails)
        return result
