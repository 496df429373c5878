#!/usr/bin/env python3
# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Start Odoo as odoo-bin does: used by scripts/benchmark.py to serve.

With ``--workers``, Odoo's master process starts its websocket (gevent)
process by running ``sys.argv[0] gevent ...`` and starts it again whenever it
exits. Under ``python3 -m odoo``, ``sys.argv[0]`` is odoo/__main__.py, which
cannot run as a script; and where gevent cannot start (a missing dependency
of its plugins) the process dies at once too: either way the master respawns
it in a loop that burns CPU during the benchmark. Webhooks do not use
websockets, so here that process is an idle placeholder, the same for both
databases.

``bench_odoo.py jobrunner <odoo options>`` runs OCA queue_job's job runner on
its own, as queue_job documents for a runner apart from the HTTP server
(``python -m odoo.addons.queue_job.jobrunner``), with Odoo's options parsed
before queue_job is imported (it needs the addons path).
"""

import signal
import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["gevent"]:
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        while True:
            signal.pause()
    import odoo

    if sys.argv[1:2] == ["jobrunner"]:
        odoo.tools.config.parse_config(sys.argv[2:])
        from odoo.addons.queue_job.jobrunner.runner import QueueJobRunner

        runner = QueueJobRunner.from_environ_or_config()
        signal.signal(signal.SIGTERM, lambda *_args: runner.stop())
        runner.run()
        sys.exit(0)
    odoo.cli.main()
