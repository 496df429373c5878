# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time the screens of webhook_automation as the web client loads them.

Used by scripts/benchmark.py: logs in as admin over JSON-RPC (127.0.0.1), reads
the Webhooks action and its views with ``get_views``, builds the field
specification the web client would send from each view's arch, then times the
three calls that matter as the logs grow: the form of one webhook
(``web_read``), the first page of its logs and the first page of the Webhooks
list (``web_search_read``, 80 rows, count limit 10001 as the web client).
"""

import ast
import statistics
import time
import xml.etree.ElementTree as ET

import requests

WEBHOOKS_ACTION = "webhook_automation.base_automation_action_webhook"
PAGE = 80
COUNT_LIMIT = 10001  # the web client's default count limit (10000) + 1
X2MANY_LIMIT = 40  # the web client's page size of one2many lists in a form


class JsonRpc:
    def __init__(self, base_url, db):
        self.base_url = base_url
        self.session = requests.Session()
        self.db = db
        self.next_id = 0

    def call(self, path, params):
        self.next_id += 1
        response = self.session.post(
            self.base_url + path,
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": params,
                "id": self.next_id,
            },
            timeout=120,
        )
        response.raise_for_status()
        answer = response.json()
        if answer.get("error"):
            raise RuntimeError(f"{path}: {answer['error']}")
        return answer["result"]

    def login(self, login="admin", password="admin"):
        params = {"db": self.db, "login": login, "password": password}
        return self.call("/web/session/authenticate", params)

    def call_kw(self, model, method, args, **kwargs):
        return self.call(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )


def top_level_fields(node):
    """Yield the <field> elements of a view, not those of its sub-views."""
    for child in node:
        if child.tag == "field":
            yield child
        else:
            yield from top_level_fields(child)


def field_spec(arch_node, fields):
    """Return the web client's specification for the fields of ``arch_node``."""
    spec = {}
    for node in top_level_fields(arch_node):
        name = node.get("name")
        description = fields.get(name, {})
        kind = description.get("type")
        if kind == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif kind in ("one2many", "many2many"):
            subview = next((c for c in node if c.tag in ("list", "kanban")), None)
            sub_fields = description.get("__sub_fields", {})
            if subview is not None:
                sub = field_spec(subview, sub_fields)
                spec[name] = {"fields": sub, "limit": X2MANY_LIMIT}
            else:
                spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    spec.setdefault("display_name", {})
    return spec


def view_spec(result, model, view_type):
    """Return the specification of ``view_type`` in a get_views ``result``."""
    models = result["models"]
    fields = dict(models[model]["fields"])
    for description in fields.values():
        relation = description.get("relation")
        if relation in models:
            description["__sub_fields"] = models[relation]["fields"]
    arch = ET.fromstring(result["views"][view_type]["arch"])
    return field_spec(arch, fields)


def as_literal(value):
    """Return an action's domain or context, which may come as Python text."""
    return ast.literal_eval(value) if isinstance(value, str) else value


class Screens:
    """The three screen loads of one webhook on one server, ready to time."""

    def __init__(self, base_url, db, rule_id):
        rpc = JsonRpc(base_url, db)
        rpc.login()
        self.rpc = rpc
        self.rule_id = rule_id
        action = rpc.call("/web/action/load", {"action_id": WEBHOOKS_ACTION})
        views = [[view_id, mode] for view_id, mode in action["views"]]
        result = rpc.call_kw("base.automation", "get_views", [], views=views)
        self.list_spec = view_spec(result, "base.automation", "list")
        self.form_spec = view_spec(result, "base.automation", "form")
        self.list_domain = as_literal(action["domain"]) or []
        logs = rpc.call_kw("base.automation", "action_view_webhook_logs", [[rule_id]])
        log_views = [[view_id, mode] for view_id, mode in logs["views"]]
        log_result = rpc.call_kw("webhook.call.log", "get_views", [], views=log_views)
        self.log_spec = view_spec(log_result, "webhook.call.log", "list")
        self.log_domain = as_literal(logs["domain"])
        self.context = {"lang": "en_US", "tz": "UTC", "uid": 2, "bin_size": True}
        self.log_context = dict(self.context, **(as_literal(logs["context"]) or {}))

    def form(self):
        return self.rpc.call_kw(
            "base.automation", "web_read", [[self.rule_id]],
            specification=self.form_spec, context=self.context,
        )  # fmt: skip

    def log_page(self):
        return self.rpc.call_kw(
            "webhook.call.log", "web_search_read", [], domain=self.log_domain,
            specification=self.log_spec, offset=0, limit=PAGE, order="",
            count_limit=COUNT_LIMIT, context=self.log_context,
        )  # fmt: skip

    def webhook_list(self):
        return self.rpc.call_kw(
            "base.automation", "web_search_read", [], domain=self.list_domain,
            specification=self.list_spec, offset=0, limit=PAGE, order="",
            count_limit=COUNT_LIMIT, context=self.context,
        )  # fmt: skip


SCREENS = ("form", "log_page", "webhook_list")


def measure_screens(servers, rule_id, repeat=7):
    """Time the screens of webhook ``rule_id`` on each of ``servers``.

    ``servers`` maps a label to (base URL, database); the servers are timed in
    turn, call after call, so that noise hits them alike. Returns {label:
    {screen: {"median_ms", "times_ms", "rows"}}}.
    """
    sessions = {
        label: Screens(url, db, rule_id) for label, (url, db) in servers.items()
    }
    return time_screens(sessions, SCREENS, repeat)


def time_screens(sessions, screens, repeat):
    """Time the ``screens`` (method names) of ``sessions`` ({label: Screens}).

    After one warm-up call of each (which gives the sizes), ``repeat`` rounds
    of each screen on each session in turn. Returns {label: {screen:
    {"median_ms", "times_ms", "rows"}}}.
    """
    times = {label: {name: [] for name in screens} for label in sessions}
    rows = {label: {} for label in sessions}
    for label, session in sessions.items():  # warm-up, and the sizes
        for name in screens:
            answer = getattr(session, name)()
            rows[label][name] = (
                answer.get("length") if isinstance(answer, dict) else len(answer)
            )
    for _ in range(repeat):
        for name in screens:
            for label, session in sessions.items():
                started = time.perf_counter()
                getattr(session, name)()
                times[label][name].append((time.perf_counter() - started) * 1000)
    return {
        label: {
            name: {
                "median_ms": statistics.median(values),
                "times_ms": [round(value, 1) for value in values],
                "rows": rows[label][name],
            }
            for name, values in label_times.items()
        }
        for label, label_times in times.items()
    }
