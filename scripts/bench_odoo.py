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
"""

import signal
import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["gevent"]:
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        while True:
            signal.pause()
    import odoo

    odoo.cli.main()
