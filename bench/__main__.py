"""`make bench`: run every benchmark, write bench/results/<time>.json and print one table."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

# Explicit order: cheapest first, so a failure late in the run still leaves the early figures on screen.
BENCHMARKS = (
    "bench.extraction",
    "bench.rules",
    "bench.registry_import",
    "bench.sweep",
    "bench.api",
    "bench.console",
    "bench.images",
    # Last: 10,000 mutated pages take several minutes.
    "bench.fuzz",
)
RESULTS_DIR = Path(__file__).parent / "results"
# Each headline figure and the baseline measured beside it in the same run: (label, figure, baseline).
HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("extraction pages/s vs naive bs4 parse", "extraction.pages_per_s", "extraction.baseline_pages_per_s"),
    (
        "first page of a new process s, cached gate vs compiled",
        "extraction.first_page_in_new_process.warm_cache_s",
        "extraction.first_page_in_new_process.compiled_s",
    ),
    (
        "rules claims/s, durable vs plain Python",
        "rules.durable_claims_per_s",
        "rules.plain_claims_per_s (baseline)",
    ),
    ("sweep pages/s vs bare Scrapy crawl", "sweep.sweep_pages_per_s", "sweep.bare_scrapy_pages_per_s"),
    (
        "one-page sweep s, now vs baseline rev",
        "sweep.startup.one_page_sweep_seconds",
        "sweep.startup.one_page_sweep_before_seconds",
    ),
    (
        "cluster pages/s, 3 workers vs 1 (slow site)",
        "sweep.distributed.slow_site.3_workers_pages_per_s",
        "sweep.distributed.slow_site.1_workers_pages_per_s",
    ),
    (
        "cluster pages/s, 3 workers vs 1 (CPU-bound)",
        "sweep.distributed.cpu_bound_site.3_workers_pages_per_s",
        "sweep.distributed.cpu_bound_site.1_workers_pages_per_s",
    ),
    (
        "images/s: gate only vs gate + OCR",
        "images.gate_only.images_per_s",
        "images.corpus.images_per_s",
    ),
    (
        "polite sweep pages/s, images on vs off",
        "images.sweep.polite.on.pages_per_s_fetching",
        "images.sweep.polite.off.pages_per_s_fetching",
    ),
    (
        "registry import s (100k) vs parse only",
        "registry_import.first_import_s",
        "registry_import.parse_only_s (baseline)",
    ),
    (
        "fuzz max CPU s/page vs unmutated seeds",
        "fuzz.max_cpu_s_per_page",
        "fuzz.seed_max_cpu_s_per_page (baseline)",
    ),
    (
        "API self-check req/s vs /health @32 (target >= 50%)",
        "api.selfcheck @32.req_per_s",
        "api.health @32.req_per_s",
    ),
    (
        "API batch texts/s vs single self-checks/s @32",
        "api.batch of 50 @32.texts_per_s",
        "api.selfcheck @32.req_per_s",
    ),
    (
        "API self-check p99 ms vs /health @1",
        "api.selfcheck @1.p99_ms",
        "api.health @1.p99_ms",
    ),
    (
        "console queue p50 ms (600 cases) vs sign-in page",
        "console.queue.p50_ms",
        "console.login (baseline).p50_ms",
    ),
    (
        "issue a notice ms (2,000 before it) vs old count",
        "console.notice.issue_ms",
        "console.notice.issue_old_count_ms (baseline)",
    ),
    (
        "issuing holds the case-write lock ms vs rendering under it",
        "console.notice.lock_held_ms",
        "console.notice.lock_held_render_inside_ms (baseline)",
    ),
)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem_gib = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    """Nested result dicts as dotted rows for the table."""
    if isinstance(value, dict):
        rows: list[tuple[str, Any]] = []
        for key, inner in value.items():
            rows.extend(flatten(f"{prefix}.{key}" if prefix else str(key), inner))
        return rows
    return [(prefix, value)]


def render(value: Any) -> str:
    """A figure as the table shows it."""
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    return str(value)


def print_headlines(figures: dict[str, Any]) -> None:
    """Each headline figure beside its same-run baseline, with the ratio."""
    print(f"  {'figure':<42} {'value':>12} {'baseline':>12} {'ratio':>8}")
    for label, key, baseline_key in HEADLINES:
        value, baseline = figures.get(key), figures.get(baseline_key)
        if not isinstance(value, int | float) or not isinstance(baseline, int | float):
            continue  # that benchmark did not run (or failed; its error is in the rows below)
        ratio = f"{value / baseline:.2f}x" if baseline else "-"
        print(f"  {label:<42} {render(value):>12} {render(baseline):>12} {ratio:>8}")
    print()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks named (default: all) and report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("only", nargs="*", help="benchmark modules to run (e.g. extraction rules)")
    parser.add_argument("--quick", action="store_true", help="smaller corpora, for a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        os.environ["MARKWATCH_BENCH_QUICK"] = "1"
    selected = [m for m in BENCHMARKS if not args.only or m.rsplit(".", 1)[1] in args.only]
    report: dict[str, Any] = {"machine": machine(), "results": {}}
    failed = False
    for module_name in selected:
        name = module_name.rsplit(".", 1)[1]
        print(f"== {name} ...", flush=True)
        started = time.perf_counter()
        try:
            result = importlib.import_module(module_name).run()
        except Exception as exc:  # a broken benchmark must not hide the others' figures
            failed = True
            result = {"error": f"{type(exc).__name__}: {exc}"}
        result["seconds"] = round(time.perf_counter() - started, 1)
        report["results"][name] = result
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"bench-{stamp}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print()
    print(
        f"machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
        f"{report['machine']['memory_gib']} GiB, Python {report['machine']['python']}, "
        f"{report['machine']['platform']}"
    )
    rows = flatten("", report["results"])
    print_headlines(dict(rows))
    width = max((len(k) for k, _ in rows), default=10)
    for key, value in rows:
        print(f"  {key:<{width}}  {render(value)}")
    print(f"\nwritten: {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
