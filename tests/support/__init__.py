"""Helpers shared by every test folder: the fake-HTTP-server base, free/closed ports, a clean environment,
self-signed certificates, and the pytest fixtures built on them (registered by the root conftest.py)."""
