from __future__ import annotations

from pathlib import Path
from typing import Any

from django_tenants.postgresql_backend import base as tenants_backend

from portal.embedded import ensure_postgres


class DatabaseWrapper(tenants_backend.DatabaseWrapper):
    """Connects like django-tenants; with EMBEDDED_PGDATA set, starts that server first."""

    def get_connection_params(self) -> dict[str, Any]:
        pgdata = self.settings_dict.get("EMBEDDED_PGDATA")
        if pgdata:
            server = ensure_postgres(Path(pgdata))
            self.settings_dict["HOST"] = str(server.socket_dir)
        return super().get_connection_params()
