"""Transports: how a request reaches ``service.dispatch`` (in-process botocore hook; HTTP later)."""
