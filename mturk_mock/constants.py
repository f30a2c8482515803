"""Names every layer shares: marketplaces, endpoints, the protocol's target prefix, the default requester.

This module imports nothing, so the pytest plugin can use it without loading any AWS library.
"""

from __future__ import annotations

SERVICE_NAME = "mturk"
TARGET_PREFIX = "MTurkRequesterServiceV20170117"

SANDBOX, PRODUCTION = "sandbox", "production"
MARKETPLACES = (SANDBOX, PRODUCTION)
SANDBOX_HOST = "mturk-requester-sandbox.us-east-1.amazonaws.com"
PRODUCTION_HOST = "mturk-requester.us-east-1.amazonaws.com"
HOST_MARKETPLACES = {SANDBOX_HOST: SANDBOX, PRODUCTION_HOST: PRODUCTION}
ENDPOINTS = {SANDBOX: f"https://{SANDBOX_HOST}", PRODUCTION: f"https://{PRODUCTION_HOST}"}
REGION = "us-east-1"

# The requester of a request that carries no credentials at all.
DEFAULT_REQUESTER = "<default>"


def check_marketplace(name: str) -> str:
    """``name`` if it is a marketplace, else ValueError with the choices."""
    if name not in MARKETPLACES:
        raise ValueError(f"unknown marketplace {name!r}: use one of {', '.join(MARKETPLACES)}")
    return name
