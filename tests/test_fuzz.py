# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Hostile input: generated requests against a real server (hypothesis).

Every answer must be a JSON error or success, never a 5xx, never a
traceback or a file path, and the database may only change on a 2xx.
``WEBHOOK_FUZZ_EXAMPLES`` sets how many requests are generated (1,000 by
default; ``scripts/fuzz`` runs 10,000 or more outside CI).
"""

import json
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .common import WebhookCase

EXAMPLES = int(os.environ.get("WEBHOOK_FUZZ_EXAMPLES", "1000"))
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE"]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/cloudevents+json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "text/plain",
    "application/xml",
    "application/octet-stream",
    "",
]
# headers requests computes itself, or that would make the request unframed
RESERVED_HEADERS = {"content-length", "transfer-encoding", "host", "connection"}
LEAKS = re.compile(r"Traceback|File \"|/odoo/|\.py\b|site-packages")

CREATE_CODE = """\
if isinstance(payload.get('name'), str):
    env['res.partner'].create({'name': payload['name'][:100]})
else:
    raise ValueError('a name is required')
"""
UPDATE_CODE = "record.write({'ref': str(payload.get('ref'))[:50]})"

header_names = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz-ABCXYZ0123456789", min_size=1, max_size=30
).filter(lambda name: name.lower() not in RESERVED_HEADERS)
# requests refuses values with surrounding white space: HTTP trims it anyway
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=200
).map(str.strip)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()  # any code point, lone surrogates included
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=8)
        | st.dictionaries(st.text(max_size=12), children, max_size=8)
    ),
    max_leaves=60,
)


@st.composite
def deep_json(draw):
    depth = draw(st.integers(min_value=50, max_value=5000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    return ("{" + '"x":' + opener * depth + "1" + closer * depth + "}").encode()


@st.composite
def bodies(draw):
    kind = draw(st.sampled_from(["bytes", "json", "deep", "wide", "form", "none"]))
    if kind == "bytes":
        return draw(st.binary(max_size=2048))
    if kind == "json":
        value = draw(st.dictionaries(st.text(max_size=12), json_values, max_size=6))
        if draw(st.booleans()):
            value["name"] = draw(st.text(max_size=40))
        ensure_ascii = draw(st.booleans())
        text = json.dumps(value, ensure_ascii=ensure_ascii)
        return text.encode("utf-8", "surrogatepass")
    if kind == "deep":
        return draw(deep_json())
    if kind == "wide":
        width = draw(st.integers(min_value=1, max_value=3000))
        return json.dumps({f"k{i}": i for i in range(width)}).encode()
    if kind == "form":
        pairs = draw(st.lists(st.tuples(st.text(max_size=10), st.text(max_size=30))))
        return "&".join(f"{k}={v}" for k, v in pairs).encode("utf-8", "surrogatepass")
    return None


@st.composite
def hostile_requests(draw):
    headers = draw(st.dictionaries(header_names, header_values, max_size=6))
    content_type = draw(st.sampled_from(CONTENT_TYPES) | header_values)
    if content_type:
        headers["Content-Type"] = content_type
    return {
        "target": draw(st.sampled_from(["create", "update", "signed", "unknown"])),
        "method": draw(st.sampled_from(METHODS)),
        "headers": headers,
        "params": draw(
            st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=4)
        ),
        "data": draw(bodies()),
    }


class TestHostileInput(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Fuzz target"})
        cls.rules = {
            "create": cls._create_fuzz_rule(
                record_getter=False, code=CREATE_CODE, webhook_allow_get=True
            ),
            "update": cls._create_fuzz_rule(
                record_getter="model.browse(int(payload.get('id', %d)))"
                % cls.partner.id,
                code=UPDATE_CODE,
            ),
            "signed": cls._create_fuzz_rule(
                record_getter=False,
                code=CREATE_CODE,
                webhook_signature_scheme="stripe",
                webhook_signing_secret="whsec_fuzz",
            ),
        }

    @classmethod
    def _create_fuzz_rule(cls, code, **values):
        model = cls.env["ir.model"]._get("res.partner")
        return cls.env["base.automation"].create(
            {
                "name": "Fuzz",
                "model_id": model.id,
                "trigger": "on_webhook",
                "log_webhook_calls": True,
                "action_server_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Fuzz action",
                            "model_id": model.id,
                            "usage": "base_automation",
                            "state": "code",
                            "code": code,
                        },
                    )
                ],
                **values,
            }
        )

    def _snapshot(self):
        self.env.invalidate_all()
        return (
            self.env["res.partner"].search_count([]),
            self.partner.ref,
            self.partner.write_date,
        )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=hostile_requests())
    def test_hostile_requests(self, request):
        target = request["target"]
        url = (
            self.base_url() + "/web/hook/not-a-webhook-secret"
            if target == "unknown"
            else self.rules[target].url
        )
        before = self._snapshot()
        response = self._call(
            url,
            method=request["method"],
            headers=request["headers"],
            params=request["params"],
            data=request["data"],
        )
        self.assertLess(response.status_code, 500, response.text)
        if request["method"] != "HEAD":
            body = response.json()
            self.assertIn(body["status"], ("ok", "error"))
            self.assertFalse(LEAKS.search(response.text), response.text)
        if not 200 <= response.status_code < 300:
            self.assertEqual(self._snapshot(), before, response.text)
