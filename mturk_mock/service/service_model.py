"""The botocore service model of MTurk: the authority on shapes, enums and constraints. Loaded once."""

from __future__ import annotations

import functools

from botocore.model import ServiceModel

from ..constants import SERVICE_NAME


@functools.cache
def service_model() -> ServiceModel:
    import botocore.session

    return botocore.session.get_session().get_service_model(SERVICE_NAME)


@functools.cache
def operation_names() -> frozenset[str]:
    return frozenset(service_model().operation_names)
