# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What an outgoing webhook sender needs that does not need the ORM.

Plain Python, importable and testable without a database: which addresses
may be called (:mod:`.ssrf`), when to try again (:mod:`.schedule`), the
headers of a signed message (:mod:`.message`) and one HTTP request to an
address checked beforehand (:mod:`.http`). The ``webhook.endpoint`` and
``webhook.outgoing.*`` models are the glue between these and the database.
"""
