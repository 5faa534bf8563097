"""schemathesis hooks (scripts/api-fuzz): sign every generated request as
an enrolled device would, so that the signed routes are fuzzed past their
authentication (the RFC 9421 profile of domain/src/sync/httpsig.rs:
Ed25519 over method, authority, path, query and Content-Digest, with
`created`, `keyid` and a fresh `nonce`). Two keys are enrolled at import
with the codes scripts/api-fuzz made: a border post's for the device
routes, headquarters' operator's for /v1/hq/*.
"""

import base64
import hashlib
import json
import os
import secrets
import time
import urllib.parse
import urllib.request

import requests.adapters
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

BASE = os.environ["HW_API_URL"]
COMPONENTS = '("@method" "@authority" "@path" "@query" "content-digest")'


def enrol(code):
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    body = json.dumps({"code": code, "public_key": public, "label": "schemathesis"}).encode()
    req = urllib.request.Request(BASE + "/v1/enroll", data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return key, json.load(r)["device_id"]


DEVICE = enrol(os.environ["HW_DEVICE_CODE"])
OPERATOR = enrol(os.environ["HW_OPERATOR_CODE"])


def sign(request):
    url = urllib.parse.urlsplit(request.url)
    if not url.path.startswith("/v1/") or url.path in ("/v1/enroll", "/v1/time"):
        return
    key, keyid = OPERATOR if url.path.startswith("/v1/hq/") else DEVICE
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    params = f'{COMPONENTS};created={int(time.time())};keyid="{keyid}";alg="ed25519";nonce="{secrets.token_hex(32)}"'
    base = "\n".join(
        [
            f'"@method": {request.method.upper()}',
            f'"@authority": {url.netloc.lower()}',
            f'"@path": {url.path}',
            f'"@query": ?{url.query}',
            f'"content-digest": {digest}',
            f'"@signature-params": {params}',
        ]
    )
    request.headers["content-digest"] = digest
    request.headers["signature-input"] = f"hw={params}"
    request.headers["signature"] = "hw=:" + base64.b64encode(key.sign(base.encode())).decode() + ":"


_send = requests.adapters.HTTPAdapter.send


def send(self, request, *args, **kwargs):
    sign(request)
    return _send(self, request, *args, **kwargs)


requests.adapters.HTTPAdapter.send = send
