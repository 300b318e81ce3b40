"""The ground floor: what every app needs and that needs no app (errors, Redis and its tenant
keys, the hot-path cache, pool threads, vectors, log format, the fail-closed scoped manager)."""
