# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a webhook receiver needs that does not need the ORM.

Plain Python, importable and testable without a database: the error table
(:mod:`.errors`), the state of one call (:mod:`.call`), payload parsing
(:mod:`.payload`), signature schemes (:mod:`.signatures`) and address
allowlists (:mod:`.addresses`). The models of the addon are the glue between
these and the database.
"""
