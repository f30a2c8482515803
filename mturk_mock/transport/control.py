"""Controlling a served mock's faults, transport-neutral: a JSON document in, the faults in effect out.

The same document configures ``mturk-mock serve --faults`` at start and, at run time, the server's
control endpoint (``POST /_mturk_mock/faults``; the HTTP server only hands the path and body here):

    {"clear": true,                                   # first remove every rule and the rate limit
     "rules": [{"error": "ServiceFault", "operation": "CreateHIT", "after": 2, "times": 1}],
     "rate_limit": {"rate": 5, "burst": 10},          # or null to keep the current one
     "credentials": "registered", "access_keys": ["AKIAEXAMPLE"]}

Every member is optional (``{}`` changes nothing and answers the current state); rules take the options
of ``mturk.faults.add``. Control requests are not MTurk calls: they are not in the call log.
"""

from __future__ import annotations

import json
from typing import Any

from ..service.faults import Faults

CONTROL_PATH = "/_mturk_mock/faults"
CONTROL_PREFIX = "/_mturk_mock/"
DOCUMENT_KEYS = frozenset({"clear", "rules", "rate_limit", "credentials", "access_keys", "retry_backoff"})


def configure(faults: Faults, document: object) -> None:
    """Apply a faults document (ValueError or TypeError, and nothing changes, when it is not one)."""
    if not isinstance(document, dict):
        raise TypeError(f"a faults document is a JSON object, not {document!r}")
    unknown = set(document) - DOCUMENT_KEYS
    if unknown:
        raise ValueError(f"unknown member(s) {sorted(unknown)}; a faults document has {sorted(DOCUMENT_KEYS)}")
    rules = document.get("rules") or ()
    if not isinstance(rules, list | tuple):
        raise TypeError(f"rules must be a list of rules, not {rules!r}")
    faults.configure(
        rules=rules,
        rate_limit=document.get("rate_limit"),
        credentials=document.get("credentials"),
        access_keys=document.get("access_keys") or (),
        retry_backoff=document.get("retry_backoff"),
        clear=document.get("clear", False),
    )


def read_document(text: str) -> Any:
    """``--faults``: inline JSON, or the name of a file holding it (ValueError or OSError otherwise)."""
    if not text.lstrip().startswith("{"):
        with open(text, encoding="utf-8") as file:
            text = file.read()
    return json.loads(text)


def http_answer(faults: Faults, path: str, body: bytes) -> tuple[int, bytes]:
    """(HTTP status, JSON body) for a request to the control endpoint."""
    if path.rstrip("/") != CONTROL_PATH:
        return 404, _json({"error": f"No control endpoint at {path!r}; POST a faults document to {CONTROL_PATH}"})
    try:
        configure(faults, json.loads(body or b"{}"))
    except (ValueError, TypeError, RecursionError) as exc:
        return 400, _json({"error": str(exc)})
    return 200, _json(faults.describe())


def _json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
