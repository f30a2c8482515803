"""Files workers uploaded as answers to FileUploadAnswer questions, and the temporary URLs that
GetFileUploadURL hands out for them (spec Q§6.2).

A URL is valid for 60 seconds of the mock clock and names the marketplace, the assignment, the question
and its expiry, signed with the world's secret: nothing is stored, a forged or altered URL is refused,
and URLs stay valid across a state save and load. The host is a reserved ``.invalid`` name, so a URL
can never reach the network: tests read the file with ``mturk.uploaded_file(url)``, and ``mturk-mock
serve`` answers a GET on the URL's path. Files are deleted with their HIT.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .. import errors
from .assignments import Assignment

if TYPE_CHECKING:
    from ..world import World

HOST = "files.mturk-mock.invalid"
PATH_PREFIX = "/_mturk_mock/uploads/"
LIFETIME_MS = 60_000


class UploadUnavailable(LookupError):
    """A file URL that gives no file: not one the mock issued, expired, or its HIT deleted."""

    def __init__(self, reason: str, expired: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expired = expired


def _signature(secret: bytes, marketplace: str, assignment_id: str, question_id: str, expires: int) -> str:
    message = f"{marketplace}\n{assignment_id}\n{question_id}\n{expires}".encode()
    return hashlib.blake2b(message, key=secret, digest_size=12).hexdigest()


def _encode(text: str) -> str:
    # QuestionIdentifiers are any text: base64url keeps the path ASCII and free of '/' and escapes.
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def file_url(secret: bytes, marketplace: str, assignment: Assignment, question_id: str, now: float) -> str:
    """GetFileUploadURL: a URL for the file the worker uploaded for ``question_id``, valid for 60 seconds.
    E-HIT-NF once the HIT is disposed; E-PVE on QuestionIdentifier unless the question is a
    FileUploadAnswer of the HIT's QuestionForm that the worker answered with a file."""
    hit = assignment.hit
    if hit.disposed:  # uploaded files are deleted with the HIT
        raise errors.HIT_NOT_FOUND(hit_id=hit.hit_id)
    form = hit.question_content().form
    question = None if form is None else form.by_identifier.get(question_id)
    if question is None or question.answer_kind != "file_upload" or question_id not in (assignment.uploads or {}):
        detail = (
            f"question {question_id!r} is not in the HIT's QuestionForm"
            if question is None
            else f"question {question_id!r} is not a FileUploadAnswer the worker answered with a file"
        )
        raise errors.invalid_value("QuestionIdentifier", question_id, detail)
    expires = round(now * 1000) + LIFETIME_MS
    signature = _signature(secret, marketplace, assignment.assignment_id, question_id, expires)
    path = f"{marketplace}/{assignment.assignment_id}/{_encode(question_id)}/{expires}/{signature}"
    return f"https://{HOST}{PATH_PREFIX}{path}"


def read_file(world: World, url: str) -> bytes:
    """The file a URL from GetFileUploadURL names (the URL, or only its path); UploadUnavailable when the
    mock did not issue it, it has expired, or the HIT has been deleted."""
    path = urlsplit(url).path
    parts = path[len(PATH_PREFIX) :].split("/") if path.startswith(PATH_PREFIX) else []
    try:
        marketplace, assignment_id, encoded, expires_text, signature = parts
        question_id, expires = _decode(encoded), int(expires_text)
    except (ValueError, binascii.Error):  # UnicodeDecodeError is a ValueError
        raise UploadUnavailable(f"{url!r} is not a file URL of this mock (GetFileUploadURL makes them)") from None
    expected = _signature(world.secret, marketplace, assignment_id, question_id, expires)
    if not hmac.compare_digest(signature, expected):
        raise UploadUnavailable(f"{url!r} is not a file URL of this mock (GetFileUploadURL makes them)")
    with world.session(marketplace) as (market, now):
        if round(now * 1000) >= expires:
            raise UploadUnavailable(
                f"the URL has expired: file URLs are valid for {LIFETIME_MS // 1000} seconds; call GetFileUploadURL "
                "again for a new one",
                expired=True,
            )
        assignment = market.assignments.by_id.get(assignment_id)
        if assignment is None or assignment.hit.disposed:
            raise UploadUnavailable("the file no longer exists: uploaded files are deleted with their HIT")
        return (assignment.uploads or {})[question_id]
