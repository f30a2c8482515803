"""Transports: how a request reaches ``service.dispatch`` (the in-process botocore hook, the HTTP server)."""
