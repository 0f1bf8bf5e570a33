"""The one HTTP seam every backend adapter talks through (Prometheus, Loki, Jaeger, Grafana).

- `client.py`: `HttpClient` (session, auth, TLS, deadline, body cap, redirects, status → typed error) and `Dialect`,
  the way one backend words its errors;
- `auth.py`: the Authorization header from the settings alone;
- `deadline.py`: the watchdog that makes `timeout` hold for a whole attempt;
- `retry.py`: bounded tenacity retries of transient failures;
- `redact.py`: URLs without user:password, and every configured secret masked in every encoded form;
- `text.py`: short one-line reasons out of library and backend error text.
"""
