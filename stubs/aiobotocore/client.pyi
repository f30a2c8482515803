from typing import Any

from botocore.client import BaseClient

class AioBaseClient(BaseClient):
    def __getattr__(self, name: str) -> Any: ...
