"""Time what `slocheck run` does after the load and the settle wait: measure every objective over the window,
evaluate, write the evidence. Run in its own process with Locust imported first, as in `slocheck run` (gevent then
runs the measurement pool's threads as greenlets):

    python -m benchmarks.verdict_probe SLO_FILE --start UNIX --end UNIX --prometheus-url URL --out DIR

Prints one JSON object: seconds to the verdict, seconds to the evidence files, outcomes.
"""

import locust  # noqa: F401, I001 - first, as in `slocheck run`: gevent patches before requests is imported

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from slocheck.core.evaluate import evaluate, exit_code_for
from slocheck.app.measure import measure_all
from slocheck.core.model import Window
from slocheck.app.evidence import OutputPaths, write_outputs
from slocheck.report.json_report import result_document
from slocheck.config.settings import load_settings
from slocheck.core.spec.loader import load_slo_files
from slocheck.app.backends import all_objectives, build_sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("slo", type=Path)
    parser.add_argument("--start", type=float, required=True)
    parser.add_argument("--end", type=float, required=True)
    parser.add_argument("--prometheus-url", required=True)
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args(argv)
    window = Window(datetime.fromtimestamp(options.start, UTC), datetime.fromtimestamp(options.end, UTC))
    # Preflight (before the load in `slocheck run`): not timed.
    objectives = all_objectives(load_slo_files([options.slo], {}))
    settings = load_settings(None, environ={}, cli_overrides={("prometheus", "url"): options.prometheus_url})
    sources = build_sources(settings, objectives)
    try:
        started = time.perf_counter()
        measurements = measure_all(objectives, window, sources)
        evaluation = evaluate(objectives, measurements, window)
        verdict_at = time.perf_counter()
        code = exit_code_for(evaluation.verdict, fail_on_warn=False)
        document = result_document(evaluation, exit_code=code, generated_at=datetime.now(UTC))
        options.out.mkdir(parents=True, exist_ok=True)
        paths = OutputPaths(str(options.out / "result.json"), options.out / "junit.xml", options.out / "report.md")
        write_outputs(document, paths)
        evidence_at = time.perf_counter()
    finally:
        sources.close()
    outcomes: dict[str, int] = {}
    for result in evaluation.results:
        outcomes[result.outcome.value] = outcomes.get(result.outcome.value, 0) + 1
    answer = {
        "objectives": len(objectives),
        "verdict_seconds": verdict_at - started,
        "evidence_seconds": evidence_at - started,
        "verdict": evaluation.verdict.value,
        "outcomes": outcomes,
    }
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
