"""JUnit XML for CI test reports (GitLab, Jenkins): a testsuite per SLO set, a testcase per objective.

Rendered from the result document, so `slocheck report` can re-render a stored run without backends.
What an objective counts as decides the element: FAIL → <failure>, INCONCLUSIVE (no data, backend error)
→ <error>, PASS/WARN → passed; a non-blocking objective that did not pass → <skipped>, since it never
changes the verdict.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any


def evidence_text(objective: Mapping[str, Any]) -> str:
    lines = [
        f"outcome: {objective['outcome']} (counts as {objective['counts_as']})",
        f"reason: {objective['reason']}",
        f"backend: {objective['backend']}",
        f"query: {objective['query']}",
        f"pass: {objective['pass']}" + (f"  warn: {objective['warn']}" if objective.get("warn") else ""),
    ]
    for series in objective.get("series", []):
        labels = ", ".join(f'{k}="{v}"' for k, v in sorted(series["labels"].items()))
        line = f"  {{{labels}}} = {series['display']} {series['outcome']}"
        if "baseline" in series:  # a relative bar: the baseline value, this value and the change
            line += f" ({series.get('change_display') or series.get('baseline_note') or 'no baseline value'})"
        lines.append(line)
    judgement = objective.get("judgement")
    if judgement:
        lines.append(f"judge (Mann-Whitney): {judgement['outcome']}: {judgement['text']}")
    if objective.get("sample_size") is not None:
        lines.append(f"sample size: {objective['sample_size']}")
    return "\n".join(lines)


def _testcase(parent: ET.Element, objective: Mapping[str, Any]) -> str:
    case = ET.SubElement(parent, "testcase", classname=f"slocheck.{objective['slo_set']}", name=objective["name"])
    case.set("time", "0")
    counts_as = objective["counts_as"]
    message = f"{objective['outcome']}: {objective['reason']}"
    if not objective["blocking"] and counts_as != "PASS":
        ET.SubElement(case, "skipped", message=f"non-blocking, {message}")
        kind = "skipped"
    elif counts_as == "FAIL":
        ET.SubElement(case, "failure", message=message, type=objective["outcome"]).text = evidence_text(objective)
        kind = "failures"
    elif counts_as == "INCONCLUSIVE":
        ET.SubElement(case, "error", message=message, type=objective["outcome"]).text = evidence_text(objective)
        kind = "errors"
    else:
        kind = "passed"
    ET.SubElement(case, "system-out").text = evidence_text(objective)
    return kind


def render_junit(document: Mapping[str, Any]) -> str:
    root = ET.Element("testsuites", name="slocheck")
    suites: dict[str, tuple[ET.Element, dict[str, int]]] = {}
    for objective in document["objectives"]:
        if objective["slo_set"] not in suites:
            suite = ET.SubElement(root, "testsuite", name=objective["slo_set"], timestamp=document["window"]["start"])
            properties = ET.SubElement(suite, "properties")
            for name in ("verdict", "exit_code"):
                ET.SubElement(properties, "property", name=name, value=str(document[name]))
            for name in ("start", "end"):
                ET.SubElement(properties, "property", name=f"window_{name}", value=document["window"][name])
            suites[objective["slo_set"]] = (suite, {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "passed": 0})
        suite, tally = suites[objective["slo_set"]]
        tally[_testcase(suite, objective)] += 1
        tally["tests"] += 1
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite, tally in suites.values():
        for key in totals:
            suite.set(key, str(tally[key]))
            totals[key] += tally[key]
        suite.set("time", f"{document['window']['seconds']:g}")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
