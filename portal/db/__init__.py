"""Database engine: django-tenants' backend, plus on-demand start of the embedded server."""
