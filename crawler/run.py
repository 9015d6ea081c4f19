"""The sweep subprocess: one CrawlerProcess (one reactor) for one sweep; `python -m crawler.run`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.settings import base_settings, target_settings
from crawler.spiders.marketplace import spider_for
from crawler.targets import Target, load_targets

EXIT_FINISHED = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 3


class CloseWatcher:
    """Remembers why the spider closed; Scrapy holds signal receivers weakly, so main() keeps this object."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.reason = reason


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """KEY=VALUE settings overrides (JSON objects/lists, numbers and booleans parsed)."""
    result: dict[str, Any] = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        value: Any = raw
        if raw[:1] in ("{", "["):
            value = json.loads(raw)
        elif raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            try:
                value = float(raw) if "." in raw else int(raw)
            except ValueError:
                value = raw
        result[key] = value
    return result


def crawl_settings(
    target: Target, *, db_url: str, sweep_id: int, job_dir: Path, overrides: dict[str, Any]
) -> dict[str, Any]:
    """Everything the CrawlerProcess for this sweep needs."""
    settings = base_settings()
    settings.update(target_settings(target.delay, target.concurrency, target.max_depth))
    settings.update({"MARKWATCH_DB": db_url, "MARKWATCH_SWEEP_ID": sweep_id, "JOBDIR": str(job_dir)})
    settings.update(overrides)
    return settings


def main(argv: list[str] | None = None) -> int:
    """Run one sweep's crawl to its end; the exit code says finished, interrupted or failed."""
    parser = argparse.ArgumentParser(prog="python -m crawler.run")
    parser.add_argument("--targets", required=True, type=Path)
    parser.add_argument("--target", required=True)
    parser.add_argument("--sweep-id", required=True, type=int)
    parser.add_argument("--db", required=True)
    parser.add_argument("--job-dir", required=True, type=Path)
    parser.add_argument("--set", action="append", default=[], dest="overrides")
    args = parser.parse_args(argv)

    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    target = load_targets(args.targets).get(args.target)
    args.job_dir.mkdir(parents=True, exist_ok=True)
    settings = crawl_settings(
        target,
        db_url=args.db,
        sweep_id=args.sweep_id,
        job_dir=args.job_dir,
        overrides=parse_overrides(args.overrides),
    )
    process = CrawlerProcess(settings, install_root_handler=True)
    watcher = CloseWatcher()
    crawler = process.create_crawler(spider_for(target.adapter))
    crawler.signals.connect(watcher.spider_closed, signal=signals.spider_closed)
    process.crawl(crawler, target=target)
    process.start()
    if watcher.reason == "finished" or (watcher.reason or "").startswith("closespider_"):
        return EXIT_FINISHED
    if watcher.reason == "shutdown":
        return EXIT_INTERRUPTED
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
