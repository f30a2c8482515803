"""Which marketplace a client's endpoint reaches, decided as the real service would (issue 18, point 3).

MTurk exists only in us-east-1, at two hosts. An in-process client's request goes to:

* ``mturk-requester-sandbox.us-east-1.amazonaws.com``: the sandbox; ``mturk-requester.us-east-1.amazonaws.com``:
  production (any scheme, port, case or trailing dot);
* any other host in an AWS domain (``*.amazonaws.com``, ``*.amazonaws.com.cn``, ``*.api.aws``...): nowhere.
  These are what botocore builds for another region (``mturk-requester.eu-west-1.amazonaws.com``), FIPS or
  dual-stack, and none of them exists, so the caller gets botocore's ``EndpointConnectionError``, as it
  would from the DNS lookup against AWS (without botocore's retries and their sleeps);
* any other host (``endpoint_url`` of a local server, a proxy, a made-up name): the mock's
  ``marketplace=`` (default sandbox).

A signed request to an MTurk host must be scoped to us-east-1 (or botocore's pseudo-region ``sandbox``);
another region gets the AWS front end's ``InvalidSignatureException`` [I: the answer of AWS JSON services
to a credential scoped to the wrong region; MTurk's own text is not on record].
"""

from __future__ import annotations

from botocore.exceptions import EndpointConnectionError

from ..constants import DEFAULT_REQUESTER, REGION
from ..model import errors
from .pipeline import Answer, Handle, refuse
from .protocol import marketplace_for_host

AWS_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".c2s.ic.gov", ".sc2s.sgov.gov")
SIGNING_REGIONS = frozenset({REGION, "sandbox"})
_NOWHERE = "nowhere"


def host_of(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[2]


def _kind(url: str) -> str | None:
    """sandbox, production, _NOWHERE, or None for a custom endpoint (the hook memoizes the answer per URL)."""
    host = host_of(url)
    found = marketplace_for_host(host)
    if found is None and host.split(":", 1)[0].lower().rstrip(".").endswith(AWS_DOMAINS):
        found = _NOWHERE
    return found


def marketplace_of_url(url: str) -> str | None:
    """sandbox or production for an MTurk host, None for a custom endpoint (the mock's ``marketplace=``
    applies). EndpointConnectionError for an AWS host that is not MTurk's, as botocore raises against AWS."""
    kind = _kind(url)
    if kind == _NOWHERE:
        hint = f"mturk_mock: there is no MTurk endpoint at {host_of(url)}; MTurk exists only in {REGION}"
        raise EndpointConnectionError(endpoint_url=url, error=hint)
    return kind


def wrong_scope(
    handle: Handle, url: str, request_signer: object, marketplace: str, requester: str, operation: str, body: bytes
) -> Answer | None:
    """The front end's refusal of a request to an MTurk host signed for another region, or None."""
    region = getattr(request_signer, "region_name", None)
    if region is None or region in SIGNING_REGIONS or requester == DEFAULT_REQUESTER or _kind(url) is None:
        return None
    detail = f"the client signs for region {region!r}; MTurk answers only requests signed for {REGION}"
    error = errors.INVALID_SIGNATURE(region=region, detail=detail)
    return refuse(handle, marketplace, requester, operation, body, error)
