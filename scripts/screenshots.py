# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Take the README's screenshots from a running demo database.

Run by ``scripts/screenshots``, which serves the demo database first::

    python3 scripts/screenshots.py --url http://127.0.0.1:8069 \\
        --db webhook_automation_demo --out static/description

Logs in as admin over JSON-RPC, sends a few real calls to the demo webhooks
(so that the logs and their graph are not empty), dry-runs a payload in the
test console of "Create a contact", sets up a "Create/Update from Payload"
action with Suggest Mappings on a webhook of its own, then drives headless
Chromium through its DevTools protocol (``websocket-client``) with the admin's
session cookie and saves PNGs of the webhook form, its Test tab, the call logs
and their graph, of the action's mapping form with its preview, and of an
outgoing endpoint (to a receiver this script runs on 127.0.0.1) with the
result of its Send Test Event button.
"""

import argparse
import base64
import contextlib
import itertools
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import websocket

WIDTH, HEIGHT = 1280, 800
WEBHOOK_ACTION = "webhook_automation.base_automation_action_webhook"
LOGS_ACTION = "webhook_automation.webhook_call_log_action"
ENDPOINT_ACTION = "webhook_automation.webhook_endpoint_action"
ENDPOINT_NAME = "Shop (local receiver)"
_logger = logging.getLogger("screenshots")
CONSOLE_PAYLOAD = {"name": "Ada Lovelace", "email": "ada@example.com"}
# real calls to the demo webhooks, sent until the logs hold at least this many
SAMPLE_CALLS = [
    ("contact", {"name": "Grace Hopper", "email": "grace@example.com"}),
    ("contact", {"name": "Alan Turing", "email": "alan@example.com"}),
    ("contact", {"name": "Katherine Johnson", "email": "katherine@example.com"}),
    ("contact", {"name": "Nobody"}),  # no email: refused with 422
    ("order", None),  # the first quotation, set to USD
    ("order", {"model": "sale.order", "id": 0}),  # no such order: 422
]
# the webhook whose Create/Update from Payload action is shown, and its sample
MAPPING_WEBHOOK = "Create or update a contact (no code)"
MAPPING_SAMPLE = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+32 2 555 01 01",
}


class Odoo:
    """A JSON-RPC client of the web client's routes, logged in as a user."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self._ids = itertools.count(1)
        self._rpc(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )
        self.session_id = self.session.cookies["session_id"]

    def _rpc(self, path, params):
        response = self.session.post(
            self.url + path,
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": next(self._ids),
                "params": params,
            },
            timeout=60,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            raise RuntimeError(json.dumps(body["error"], indent=2))
        return body["result"]

    def call(self, model, method, *args, **kwargs):
        return self._rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def ref(self, xml_id):
        module, name = xml_id.split(".")
        rows = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        if not rows:
            raise RuntimeError(f"{xml_id} not found: is the database a demo one?")
        return rows[0]["res_id"]


class Chromium:
    """Headless Chromium, one page, driven through the DevTools protocol."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="webhook-screenshots-")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = Path(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=60, suppress_origin=True
        )
        self._ids = itertools.count(1)
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session_id = self.send(
            "Target.attachToTarget", targetId=target, flatten=True
        )["sessionId"]
        self.send("Page.enable", session=True)
        self.send("Network.enable", session=True)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def send(self, method, session=False, **params):
        """Send a command and return its result, skipping the events."""
        message_id = next(self._ids)
        message = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session_id
        self.ws.send(json.dumps(message))
        while True:
            answer = json.loads(self.ws.recv())
            if answer.get("id") == message_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, timeout=30):
        deadline = time.monotonic() + timeout
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Timed out waiting for {what}")
            time.sleep(0.2)

    def wait_idle(self):
        """Wait for the web client to finish loading, and let it paint."""
        self.wait_for(
            "document.readyState === 'complete'"
            " && !document.querySelector('.o_loading_indicator, .o_blockUI')"
            " && !document.body.classList.contains('o_ui_blocked')",
            "the page to load",
        )
        time.sleep(1)

    def set_cookie(self, url, name, value):
        self.send("Network.setCookie", session=True, url=url, name=name, value=value)

    def open(self, url, ready, what):
        self.send("Page.navigate", session=True, url=url)
        self.wait_for(f"!!document.querySelector({json.dumps(ready)})", what)
        self.wait_idle()

    def click(self, selector, text=None):
        """Click the first element matching ``selector`` (and ``text``)."""
        found = self.evaluate(
            f"""(() => {{
                const text = {json.dumps(text)};
                const element = [...document.querySelectorAll({json.dumps(selector)})]
                    .find((el) => !text || el.textContent.trim() === text);
                if (element) {{
                    element.click();
                }}
                return !!element;
            }})()"""
        )
        if not found:
            raise RuntimeError(f"Nothing to click: {selector} {text or ''}")
        self.wait_idle()

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", session=True, format="png")
        Path(path).write_bytes(base64.b64decode(data["data"]))
        _logger.info("  %s", path)

    def close(self):
        if getattr(self, "ws", None):
            with contextlib.suppress(Exception):  # closing anyway
                self.send("Browser.close")
            self.ws.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def send_sample_calls(odoo, contact_id, order_id):
    """Call the demo webhooks for real, until their logs are not empty."""
    logged = odoo.call(
        "webhook.call.log",
        "search_count",
        [("automation_id", "in", [contact_id, order_id])],
    )
    if logged >= len(SAMPLE_CALLS):
        return
    urls = {
        row["id"]: row["url"]
        for row in odoo.call("base.automation", "read", [contact_id, order_id], ["url"])
    }
    _logger.info("Calling the demo webhooks, so that the logs are not empty...")
    quotation = odoo.call("sale.order", "search", [], limit=1)
    for webhook, payload in SAMPLE_CALLS:
        if webhook == "order" and payload is None:
            payload = {"model": "sale.order", "id": quotation[0] if quotation else 0}
        url = urls[contact_id if webhook == "contact" else order_id]
        response = requests.post(url, json=payload, timeout=30)
        _logger.info("  POST %s webhook: %s", webhook, response.status_code)


def ensure_mapping_webhook(odoo):
    """Return the webhook whose action maps the contact sample, creating it once.

    Its Create/Update from Payload action finds contacts by email; its
    mapping is the one Suggest Mappings gives for the sample.
    """
    found = odoo.call(
        "base.automation", "search", [("name", "=", MAPPING_WEBHOOK)], limit=1
    )
    if found:
        return found[0]
    _logger.info("Creating the webhook %r...", MAPPING_WEBHOOK)
    model_id = odoo.call("ir.model", "search", [("model", "=", "res.partner")])[0]
    email_id = odoo.call(
        "ir.model.fields",
        "search",
        [("model", "=", "res.partner"), ("name", "=", "email")],
    )[0]
    sample = json.dumps(MAPPING_SAMPLE, indent=2)
    rule_id = odoo.call(
        "base.automation",
        "create",
        {
            "name": MAPPING_WEBHOOK,
            "model_id": model_id,
            "trigger": "on_webhook",
            "record_getter": False,
            "webhook_test_payload": sample,
        },
    )
    action_id = odoo.call(
        "ir.actions.server",
        "create",
        {
            "name": "Create/Update Contact from Payload",
            "model_id": model_id,
            "usage": "base_automation",
            "base_automation_id": rule_id,
            "state": "webhook_upsert",
            "crud_model_id": model_id,
            "webhook_upsert_mode": "create_or_update",
            "webhook_match_field_id": email_id,
            "webhook_match_path": "email",
            "webhook_upsert_sample": sample,
        },
    )
    wizard = odoo.call(
        "ir.actions.server", "action_webhook_suggest_mappings", [action_id]
    )
    odoo.call("webhook.mapping.suggest", "action_add_mappings", [wizard["res_id"]])
    return rule_id


class _ReceiverHandler(BaseHTTPRequestHandler):
    """Answer every POST with 200 and a small JSON body, as a shop would."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"received": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return


def start_receiver():
    """Start a receiver of outgoing webhooks on 127.0.0.1; return the server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ReceiverHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def ensure_endpoint(odoo, receiver_url):
    """Return the demo endpoint, pointed at ``receiver_url``, creating it once."""
    values = {
        "name": ENDPOINT_NAME,
        "url": receiver_url,
        "allowed_private_networks": "127.0.0.0/8",
    }
    found = odoo.call("webhook.endpoint", "search", [("name", "=", ENDPOINT_NAME)])
    if found:
        odoo.call("webhook.endpoint", "write", found[:1], values)
        return found[0]
    _logger.info("Creating the endpoint %r...", ENDPOINT_NAME)
    return odoo.call("webhook.endpoint", "create", values)


def screenshot_endpoint(browser, url, endpoint_id, out):
    """Save the endpoint's form with the result of Send Test Event over it."""
    browser.open(
        f"{url}/odoo/action-{ENDPOINT_ACTION}/{endpoint_id}",
        ".o_form_view .o_field_widget[name=url]",
        "the endpoint form",
    )
    browser.click(".o_form_view .o_statusbar_buttons button", "Send Test Event")
    browser.wait_for(
        "!!document.querySelector('.modal .o_webhook_test_status')",
        "the result of the test event",
    )
    time.sleep(0.5)
    browser.screenshot(out / "screenshot_endpoint.png")


def screenshot_mapping(browser, url, rule_id, out):
    """Save the mapping form of the webhook's action, with its preview."""
    browser.open(
        f"{url}/odoo/action-{WEBHOOK_ACTION}/{rule_id}",
        ".o_form_view .o_field_widget[name=action_server_ids] .o_kanban_record",
        "the webhook form with its action",
    )
    browser.click(".o_field_widget[name=action_server_ids] .o_kanban_record")
    browser.wait_for(
        "!!document.querySelector('.modal .o_field_widget[name=webhook_mapping_ids]"
        " .o_data_row') && !!document.querySelector('.modal"
        " .o_field_widget[name=webhook_upsert_preview] table')",
        "the mapping and its preview",
    )
    browser.evaluate(
        "document.querySelector('.modal .o_webhook_upsert .o_horizontal_separator')"
        ".scrollIntoView({block: 'start'})"
    )
    time.sleep(0.5)
    browser.screenshot(out / "screenshot_mapping.png")


def take_screenshots(url, db, out, chromium):
    odoo = Odoo(url, db, "admin", "admin")
    contact_id = odoo.ref("webhook_automation.demo_webhook_create_contact")
    order_id = odoo.ref("webhook_automation.demo_webhook_sale_order_currency")
    send_sample_calls(odoo, contact_id, order_id)

    _logger.info("Dry run in the console of 'Create a contact'...")
    odoo.call(
        "base.automation",
        "write",
        [contact_id],
        {"webhook_test_payload": json.dumps(CONSOLE_PAYLOAD, indent=2)},
    )
    odoo.call("base.automation", "action_webhook_test_dry_run", [contact_id])
    mapping_id = ensure_mapping_webhook(odoo)
    receiver = start_receiver()
    host, port = receiver.server_address[:2]
    endpoint_id = ensure_endpoint(odoo, f"http://{host}:{port}/webhooks/odoo")

    _logger.info("Screenshots in %s:", out)
    out.mkdir(parents=True, exist_ok=True)
    browser = Chromium(chromium)
    try:
        browser.set_cookie(url, "session_id", odoo.session_id)
        browser.open(
            f"{url}/odoo/action-{WEBHOOK_ACTION}/{contact_id}",
            ".o_form_view .o_field_widget[name=url]",
            "the webhook form",
        )
        browser.screenshot(out / "screenshot_form.png")

        browser.click(".o_notebook .nav-link", "Test")
        browser.wait_for(
            "!!document.querySelector('.o_webhook_test_changes')",
            "the changes of the dry run",
        )
        browser.evaluate(
            "document.querySelector('.o_notebook').scrollIntoView({block: 'start'})"
        )
        time.sleep(0.5)
        browser.screenshot(out / "screenshot_console.png")

        browser.open(
            f"{url}/odoo/action-{LOGS_ACTION}",
            ".o_list_view .o_data_row",
            "the call logs",
        )
        browser.screenshot(out / "screenshot_logs.png")

        browser.click(".o_control_panel .o_switch_view.o_graph")
        browser.wait_for(
            "!!document.querySelector('.o_graph_renderer canvas')", "the graph"
        )
        time.sleep(1)  # the chart's animation
        browser.screenshot(out / "screenshot_graph.png")

        screenshot_mapping(browser, url, mapping_id, out)
        screenshot_endpoint(browser, url, endpoint_id, out)
    finally:
        browser.close()
        receiver.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--chromium",
        default=shutil.which("chromium") or shutil.which("google-chrome"),
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.chromium:
        sys.exit("Chromium is missing: apt-get install chromium")
    take_screenshots(args.url, args.db, args.out, args.chromium)


if __name__ == "__main__":
    main()
