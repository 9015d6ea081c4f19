"""`markwatch rules`: validate, list and test the rule files."""

from __future__ import annotations

from pathlib import Path

import click

from checker.rules.cases import run_cases
from checker.rules.loader import load_rules

_dir_option = click.option(
    "--rules-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Rule directory."
)


@click.group("rules")
def rules() -> None:
    """Validate, list and test the declarative rules."""


@rules.command("validate")
@_dir_option
def validate(rules_dir: Path | None) -> None:
    """Load every rule strictly; exit 2 naming the file and path of the first fault."""
    loaded = load_rules(rules_dir)
    click.echo(f"{len(loaded.rules)} rule(s) valid (ruleset {loaded.digest})")


@rules.command("list")
@_dir_option
def list_rules(rules_dir: Path | None) -> None:
    """One line per rule: id, severity, slug, title."""
    for item in load_rules(rules_dir).rules:
        r = item.rule
        click.echo(f"{r.id}  {r.severity:<6}  {r.slug:<26}  {r.title.zh} / {r.title.en}")


@rules.command("test")
@click.argument("rule_id", required=False)
@_dir_option
def test(rule_id: str | None, rules_dir: Path | None) -> None:
    """Run the cases beside each rule (or one rule) and print a table; exit 1 on a failing case."""
    loaded = load_rules(rules_dir)
    chosen = [loaded.by_id(rule_id.upper())] if rule_id else list(loaded.rules)
    failed = 0
    click.echo(f"{'RULE':<7} {'KIND':<10} {'RESULT':<6} CASE")
    for item in chosen:
        for case in run_cases(item, loaded.match_options()):
            failed += not case.passed
            click.echo(
                f"{case.rule_id:<7} {case.kind:<10} {'pass' if case.passed else 'FAIL':<6} {case.name}"
            )
    click.echo(f"{len(chosen)} rule(s), {failed} failing case(s)")
    if failed:
        raise SystemExit(1)
