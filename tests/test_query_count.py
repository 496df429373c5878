# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SQL queries of a sync call, pinned so that they cannot creep up.

Measured over HTTP on the test server, where the framework's own queries
differ from a real server's (10 here are 13 on a real server, as Odoo's access
log counts them). On a real server, Odoo core's webhook takes 18 queries for
the same rule with Log Calls on and 16 with it off (see BENCHMARK.md). A change
that makes these numbers grow must say why in the commit that updates them.
"""

import json
import logging
import re

from markupsafe import Markup

from .common import SEED_CREATE_CONTACT_CODE, WebhookCase
from .test_signatures import github_headers

UPDATE_TARGET = "record.write({'ref': str(payload.get('n'))})"
SECRET = "counted"
# the seed's create-contact code as a Create/Update from Payload action: the
# same contact (see test_payload_mapping.py), without code
CREATE_CONTACT_MAPPINGS = [
    {"field": "name", "path": "name", "required": True},
    {"field": "email", "path": "email", "required": True},
    {"field": "phone", "path": "phone"},
    {"field": "company_type", "source": "fixed", "fixed_value": "person"},
    {"field": "customer_rank", "source": "fixed", "fixed_value": "1"},
]


class TestQueryCount(WebhookCase):
    def _count_queries(self, rule, url, payload, status=200):
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if rule.webhook_signature_scheme == "github":
            headers.update(github_headers(body, SECRET))
        self.env.flush_all()
        before = self.cr.sql_log_count
        response = self.http.post(url, data=body, headers=headers, timeout=30)
        self.assertEqual(response.status_code, status, response.text)
        return self.cr.sql_log_count - before

    def test_sync_call_queries(self):
        partner = self.env["res.partner"].create({"name": "Counted"})
        cases = {
            # (Log Calls, signature scheme, time limit): queries of a call
            (True, "none", 0): 10,
            (False, "none", 0): 10,
            (True, "github", 0): 10,
            # a time limit (30 s for new webhooks) costs 1 statement: it sets
            # statement_timeout and lock_timeout before the target lookup
            # (the call's transaction ends with its log: nothing to restore)
            (True, "none", 30): 11,
        }
        for (log_calls, scheme, time_limit), expected in cases.items():
            with self.subTest(
                log_calls=log_calls, scheme=scheme, time_limit=time_limit
            ):
                rule = self._create_webhook(
                    record_getter="model.browse(int(payload.get('id')))",
                    log_webhook_calls=log_calls,
                    webhook_signature_scheme=scheme,
                    webhook_time_limit=time_limit,
                    actions=[self._code_action(UPDATE_TARGET)],
                )
                if scheme != "none":
                    rule.webhook_signing_secret = SECRET
                url = rule.url
                self._count_queries(rule, url, {"id": partner.id, "n": 0})  # warm-up
                counts = [
                    self._count_queries(rule, url, {"id": partner.id, "n": n})
                    for n in range(1, 4)
                ]
                self.assertEqual(counts, [expected] * 3)

    def test_sync_create_contact_queries(self):
        """The seed's create-contact call: the contact and its chatter message.

        The chatter's "Contact created" names the model with the label read
        in the rule's own query: no query of ``ir.model`` during the call.
        """
        rule = self._create_webhook(
            name="Create a contact",
            record_getter=False,
            actions=[self._code_action(SEED_CREATE_CONTACT_CODE)],
        )
        url = rule.url
        counts = []
        for n in range(4):  # the first one warms up
            email = f"counted{n}@example.com"
            payload = {"name": f"Counted {n}", "email": email, "phone": "+1 555"}
            counts.append(self._count_queries(rule, url, payload))
            contact = self.env["res.partner"].search([("email", "=", email)])
            self.assertEqual(len(contact), 1)
            self.assertEqual(
                contact.message_ids.mapped("body"), [Markup("<p>Contact created</p>")]
            )
        # 1 of them sets the time limit of new webhooks (30 s)
        self.assertEqual(counts[1:], [20] * 3)

    def _create_contact_queries(self, rule, tag):
        """Return the queries of 4 create-contact calls; the first one warms up."""
        url = rule.url
        counts = []
        for n in range(4):
            email = f"{tag}{n}@example.com"
            payload = {"name": f"Counted {n}", "email": email, "phone": "+1 555"}
            counts.append(self._count_queries(rule, url, payload))
            contact = self.env["res.partner"].search([("email", "=", email)])
            self.assertEqual(len(contact), 1)
            self.assertEqual(
                (contact.name, contact.phone, contact.customer_rank),
                (f"Counted {n}", "+1 555", 1),
            )
            self.assertEqual(
                contact.message_ids.mapped("body"), [Markup("<p>Contact created</p>")]
            )
        return counts[1:]

    def test_sync_create_contact_by_mapping_queries(self):
        """The seed's create-contact call by mapping: no more queries than by code.

        The action's mapping is read with the action, in the query that finds
        the rule's actions: a call reads neither its lines nor their fields.
        Create or Update costs 2 more: the search of the contact by email and
        the claim of the email (see webhook.upsert.claim).
        """
        code_rule = self._create_webhook(
            name="Create a contact",
            record_getter=False,
            actions=[self._code_action(SEED_CREATE_CONTACT_CODE)],
        )
        by_code = self._create_contact_queries(code_rule, "code")
        by_mapping = {}
        for mode in ("create", "create_or_update"):
            rule = self._create_webhook(
                name=f"Create a contact by mapping ({mode})",
                record_getter=False,
                actions=[
                    self._upsert_action(
                        mappings=CREATE_CONTACT_MAPPINGS,
                        match=("email", "email"),
                        webhook_upsert_mode=mode,
                    )
                ],
            )
            by_mapping[mode] = self._create_contact_queries(rule, mode)
        self.assertEqual(by_code, [20] * 3)
        self.assertLessEqual(
            max(by_mapping["create"]),
            min(by_code),
            f"by mapping {by_mapping['create']}, by code {by_code}",
        )
        self.assertEqual(by_mapping, {"create": [20] * 3, "create_or_update": [22] * 3})

    def test_async_accept_queries(self):
        """Accepting an async call: the rule, its backlog, then its log and job.

        4 queries here, one of them the framework's (the public user), one
        counting the calls waiting for their job (at most Max Waiting Calls);
        queue_job's ``with_delay()`` would take 3 more to store and link the job.
        """
        rule = self._create_webhook(
            webhook_mode="async",
            actions=[self._code_action("record.write({'ref': 'async'})")],
        )
        url = rule.url
        self._count_queries(rule, url, {"n": 0}, status=202)  # warm-up
        counts = [
            self._count_queries(rule, url, {"n": n}, status=202) for n in range(1, 4)
        ]
        self.assertEqual(counts, [4] * 3)
        logs = self.env["webhook.call.log"].search([("automation_id", "=", rule.id)])
        self.assertEqual(len(logs), 4)
        self.assertEqual(set(logs.mapped("state")), {"accepted"})
        # each log is linked to its own job, which carries the log's id
        self.assertEqual(len(logs.job_id), 4)
        for log in logs:
            self.assertEqual(log.job_id.args, [log.id])

    def _count_job_run(self, job):
        """Run ``job`` as queue_job's runner does; return its statements.

        The runner sets the job ``enqueued`` and GETs ``/queue_job/runjob``,
        whose controller locks the job's row (``SELECT ... FOR UPDATE``), loads
        it, stores it started, commits, runs it, stores it done and commits.
        The statements are those from the lock to the last commit (the test
        cursor's savepoints are not counted).
        """
        job.write({"state": "enqueued"})
        self.env.flush_all()
        self.env.invalidate_all()
        url = f"{self.base_url()}/queue_job/runjob"
        params = {"db": self.env.cr.dbname, "job_uuid": job.uuid}
        before = self.cr.sql_log_count
        with self._capture_log_lines("odoo.sql_db", logging.DEBUG) as lines:
            response = self.http.get(url, params=params, timeout=30)
        count = self.cr.sql_log_count - before
        self.assertEqual(response.status_code, 200, response.text)
        self.env.invalidate_all()
        statements = [
            re.sub(r"\s+", " ", line.split("query: ", 1)[1])[:200]
            for line in lines
            if "query: " in line
        ]
        self.assertEqual(len(statements), count, "every statement was captured")
        return statements

    def test_async_job_queries(self):
        """The job of an async call, as the runner runs it: 24 statements.

        queue_job's own, 9: the lock of the job's row (``FOR UPDATE``),
        ``Job.load()`` (its id by uuid, its row, its user, its dependencies),
        "started" (its id again, its UPDATE), "done" (its UPDATE: its id is
        remembered from the job's lock, see
        ``queue.job._webhook_remember_running_job()``) and the jobs depending
        on it (an UPDATE, after the commit). Ours, 4: the call's log set
        running (one UPDATE as the job starts), the log with its job's
        attempts, which also takes the job's lock that tells its worker lives
        (one query), the rule, the log's outcome (one UPDATE); the job's
        "done" changes nothing more. The call, 11: its time limit set and
        restored, a savepoint and its release (a job's transaction goes on
        after the call), the target, the actions and their groups, and the
        contact's write (3 reads and its UPDATE).
        Before issue 18: 31 (the log synced by search, read and write at
        each state of the job, and read again with its job by the job).
        """
        partner = self.env["res.partner"].create({"name": "Counted"})
        rule = self._create_webhook(
            webhook_mode="async",
            record_getter="model.browse(int(payload.get('id')))",
            actions=[self._code_action(UPDATE_TARGET)],
        )
        counts = []
        for n in range(4):  # the first one warms up
            response = self._call(rule, json={"id": partner.id, "n": n})
            self.assertEqual(response.status_code, 202, response.text)
            log = self._last_log(rule)
            statements = self._count_job_run(log.job_id)
            counts.append(len(statements))
            self.assertEqual(partner.ref, str(n))
            self.assertEqual(
                (log.state, log.status_code, log.attempts, log.job_id.state),
                ("done", 200, 1, "done"),
            )
        self.assertEqual(counts[1:], [24] * 3, "\n".join(statements))
