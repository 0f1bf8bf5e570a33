"""Facts about the machine and the software the numbers were measured with."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def _package(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _binary_version(argv: list[str], pattern: str) -> str:
    if shutil.which(argv[0]) is None:
        return "not installed"
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    match = re.search(pattern, done.stdout + done.stderr)
    return match.group(1) if match else "unknown"


def hypervisor() -> str | None:
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return None
    return "yes (virtual machine)" if " hypervisor" in flags else None


def machine_facts() -> dict[str, str]:
    """CPU, cores, memory, kernel, OS and the versions of everything a number depends on."""
    facts = {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count() or 0),
        "memory": _memory(),
        "kernel": f"{platform.system()} {platform.release()}",
        "OS": _os_name(),
        "Python": platform.python_version(),
        "slocheck": _package("slocheck"),
        "Locust": _package("locust"),
        "gevent": _package("gevent"),
        "OpenTelemetry SDK": _package("opentelemetry-sdk"),
        "Prometheus": _binary_version(["prometheus", "--version"], r"version (\S+)"),
        "nginx": _binary_version(["nginx", "-v"], r"nginx/(\S+)"),
    }
    virtual = hypervisor()
    if virtual:
        facts["hypervisor"] = virtual
    return facts
