"""The bundled demo: a system under test and a local stack (Prometheus, Redis, PostgreSQL, exporters)."""
