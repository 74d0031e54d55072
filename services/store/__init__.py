"""fleetdeck's SQLite store."""

from .db import Store, connect
from .migrate import SchemaTooNewError, latest_version

__all__ = ["Store", "connect", "SchemaTooNewError", "latest_version"]
