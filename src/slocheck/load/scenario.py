"""Load a Locust file by path, unchanged, and find its User classes and its optional LoadTestShape.

The file is imported the way `locust -f FILE` imports it (its folder first on `sys.path`, so helper modules
beside it import), under a unique module name. A file is imported at most once per process for the same
content: importing it again would register its event listeners (`@events.test_start.add_listener`) twice.
Every problem is a `LoadError` with one line that names the file; nothing is sent before that succeeds.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from slocheck.core.errors import LoadError

_CACHE: dict[tuple[Path, str], Scenario] = {}


@dataclass(frozen=True)
class Scenario:
    """An imported Locust file: its runnable User classes and the shape class it defines, if any."""

    path: Path
    module: ModuleType
    user_classes: tuple[type[Any], ...]
    shape_class: type[Any] | None
    digest: str

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def hosts(self) -> set[str]:
        """The `host` attributes the User classes set themselves."""
        return {str(u.host) for u in self.user_classes if getattr(u, "host", None)}


def load_scenario(path: Path) -> Scenario:
    """Import the Locust file at `path`; raise LoadError (one line naming the file) when it cannot run."""
    import locust  # noqa: F401 - gevent must patch before the file imports requests

    resolved = Path(path).expanduser().resolve()
    source = _read(Path(path), resolved)
    digest = hashlib.sha256(source).hexdigest()
    cached = _CACHE.get((resolved, digest))
    if cached is not None:
        return cached
    _check_syntax(Path(path), source)
    module = _import(Path(path), resolved, digest)
    users = _user_classes(module)
    if not users:
        raise LoadError(f"{path}: no User class found; define a class inheriting HttpUser or FastHttpUser")
    _check_tasks(Path(path), users)
    scenario = Scenario(resolved, module, users, _shape_class(Path(path), module), digest)
    _CACHE[(resolved, digest)] = scenario
    return scenario


def _read(path: Path, resolved: Path) -> bytes:
    if not resolved.is_file():
        what = "is a directory, not a Locust file" if resolved.is_dir() else "does not exist"
        raise LoadError(f"{path}: scenario file {what}")
    try:
        return resolved.read_bytes()
    except OSError as exc:
        raise LoadError(f"{path}: cannot read the scenario file ({exc.strerror or exc})") from None


def _check_syntax(path: Path, source: bytes) -> None:
    try:
        compile(source, str(path), "exec")
    except SyntaxError as exc:
        where = f"{path}:{exc.lineno}" if exc.lineno else str(path)
        raise LoadError(f"{where}: syntax error in the scenario: {exc.msg}") from None
    except ValueError as exc:  # e.g. null bytes
        raise LoadError(f"{path}: the scenario is not valid Python source ({exc})") from None


def _import(path: Path, resolved: Path, digest: str) -> ModuleType:
    module_name = f"slocheck_scenario_{_identifier(resolved.stem)}_{digest[:12]}"
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:
        raise LoadError(f"{path}: cannot import the scenario (not a Python file?)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    folder = str(resolved.parent)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        sys.modules.pop(module_name, None)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise LoadError(f"{path}{_line_in(exc, resolved)}: importing the scenario raised {_summary(exc)}") from None
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
    return module


def _identifier(stem: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in stem)


def _summary(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _line_in(exc: BaseException, resolved: Path) -> str:
    """`:LINE` of the deepest frame inside the scenario file, or of the innermost frame anywhere."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if f.filename and Path(f.filename).resolve() == resolved]
    if own and own[-1].lineno:
        return f":{own[-1].lineno}"
    return ""


def _user_classes(module: ModuleType) -> tuple[type[Any], ...]:
    from locust.util.load_locustfile import is_user_class

    found: dict[int, type[Any]] = {}
    for value in vars(module).values():
        if is_user_class(value):
            found.setdefault(id(value), value)
    return tuple(found.values())


def _check_tasks(path: Path, users: tuple[type[Any], ...]) -> None:
    """Every User class (and every TaskSet it runs) has a task: Locust would otherwise raise in every user,
    over and over, for the whole run."""
    for user in users:
        empty = _without_tasks(user, set())
        if empty is not None:
            which = f"User class {user.__name__}" if empty is user else f"TaskSet {empty.__name__} (of {user.__name__})"
            raise LoadError(
                f"{path}: {which} has no tasks; decorate a method with @task, set tasks = [...], "
                "or mark the class abstract = True"
            )


def _without_tasks(holder: type[Any], seen: set[int]) -> type[Any] | None:
    """The first class in `holder`'s task tree that has no task, or None."""
    from locust import TaskSet

    if id(holder) in seen:
        return None
    seen.add(id(holder))
    if _overrides_run(holder):
        return None
    tasks = getattr(holder, "tasks", None) or []
    if not tasks:
        return holder
    for task in tasks:
        if inspect.isclass(task) and issubclass(task, TaskSet):
            found = _without_tasks(task, seen)
            if found is not None:
                return found
    return None


def _overrides_run(holder: type[Any]) -> bool:
    """A class with its own `run()` drives itself without tasks."""
    from locust import TaskSet, User

    base = TaskSet if issubclass(holder, TaskSet) else User
    return getattr(holder, "run", None) is not getattr(base, "run", None)


def _shape_class(path: Path, module: ModuleType) -> type[Any] | None:
    from locust.util.load_locustfile import is_shape_class

    shapes = list({id(v): v for v in vars(module).values() if is_shape_class(v)}.values())
    if len(shapes) > 1:
        names = ", ".join(sorted(s.__name__ for s in shapes))
        raise LoadError(f"{path}: more than one LoadTestShape ({names}); keep one, or none to use --profile")
    if shapes and inspect.isabstract(shapes[0]):
        raise LoadError(f"{path}: LoadTestShape {shapes[0].__name__} does not implement tick()")
    return shapes[0] if shapes else None
