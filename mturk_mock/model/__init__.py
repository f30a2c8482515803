"""The marketplace model: plain classes, one lock, no I/O, nothing of botocore or HTTP."""
