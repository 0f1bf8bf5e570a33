"""Load generation with Locust: scenario files, profiles → shapes, the runner, raw-timing client statistics.

Importing this package imports Locust first (gevent's monkey-patching must precede any import of requests or
urllib3); import it before anything that imports those.

    scenario = load_scenario(Path("scenarios/agent_platform.py"))           # LoadError if it cannot run
    profile = resolve_profile(load_profiles(), "smoke", users=20)
    outcome = run_load(LoadPlan(Path("scenarios/agent_platform.py"), profile, host="http://127.0.0.1:8000"))
    client_measurement(outcome.stats, objective)                              # for `locust:` indicators
"""

import locust  # noqa: F401 - must precede any import of requests/urllib3

from slocheck.load.plan import LoadOutcome, LoadPlan
from slocheck.load.profiles import Profile, Stage, load_profiles, resolve_profile
from slocheck.load.progress import Progress, ProgressReporter
from slocheck.load.runner import run_load
from slocheck.load.scenario import Scenario, load_scenario
from slocheck.load.shapes import StageChange
from slocheck.load.stats import ClientStats, client_measurement

__all__ = [
    "ClientStats",
    "LoadOutcome",
    "LoadPlan",
    "Profile",
    "Progress",
    "ProgressReporter",
    "Scenario",
    "Stage",
    "StageChange",
    "client_measurement",
    "load_profiles",
    "load_scenario",
    "resolve_profile",
    "run_load",
]
