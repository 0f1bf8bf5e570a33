"""Root conftest. `import locust` must come first: it monkey-patches with gevent, and doing that after
`requests`/`urllib3` are imported raises RecursionError."""

import locust  # noqa: F401  (must stay the first import)

pytest_plugins = ["tests.support.fixtures", "tests.support.real_prometheus", "tests.support.demo_stack"]
