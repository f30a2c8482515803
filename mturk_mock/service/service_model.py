"""The botocore service model of MTurk: the authority on shapes, enums and constraints. Loaded once."""

from __future__ import annotations

import functools

SERVICE_NAME = "mturk"
TARGET_PREFIX = "MTurkRequesterServiceV20170117"


@functools.cache
def service_model():
    import botocore.session

    return botocore.session.get_session().get_service_model(SERVICE_NAME)


@functools.cache
def operation_names() -> frozenset[str]:
    return frozenset(service_model().operation_names)
