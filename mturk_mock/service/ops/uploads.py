"""GetFileUploadURL: a temporary URL for a file a worker uploaded (spec Q§6.2)."""

from __future__ import annotations

from typing import Any

from ...model.hits import uploads
from ..context import RequestContext


def get_file_upload_url(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """E-ASG-NF for an unknown, foreign or invisible assignment, E-HIT-NF once its HIT is disposed."""
    assignment = ctx.market.assignments.visible(request["AssignmentId"], ctx.requester)
    url = uploads.file_url(ctx.world.secret, ctx.market.name, assignment, request["QuestionIdentifier"], ctx.now)
    return {"FileUploadURL": url}
