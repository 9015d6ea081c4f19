"""`markwatch rules`: validate, list and test the rule files."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from checker.rules.cases import run_cases
from checker.rules.loader import load_rules
from markwatch.cases.precision import PrecisionPolicy, RulePrecision, pattern_precision, rule_precision
from markwatch.cli.options import db_option
from markwatch.db import session_scope

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


def _standing(policy: PrecisionPolicy, tally: RulePrecision | None) -> str:
    if tally is None or tally.decided == 0:
        return "no decisions yet"
    if tally.judged < policy.min_judged:
        return f"too few decisions to judge ({tally.judged} < {policy.min_judged})"
    if policy.below(tally):
        return f"REVIEW: new findings go to review (below {policy.floor:.2f})"
    return "ok"


def _row(label: str, tally: RulePrecision | None, policy: PrecisionPolicy) -> str:
    if tally is None:
        counts = f"{0:>7} {0:>9} {0:>11} {0:>9} {0:>5}"
        precision = "-"
    else:
        counts = (
            f"{tally.decided:>7} {tally.confirmed:>9} {tally.not_a_claim:>11} {tally.wrong_standard:>9} "
            f"{tally.dismissed_other:>5}"
        )
        precision = "-" if tally.precision is None else f"{tally.precision:.2f}"
    return f"{label:<32} {counts} {precision:>9}  {_standing(policy, tally)}"


@rules.command("stats")
@click.option(
    "--last",
    "last_n",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Decided cases counted per rule (default: MARKWATCH_PRECISION_WINDOW, else 50).",
)
@click.option("--by-pattern", is_flag=True, help="Also per extractor pattern under each rule.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@_dir_option
@db_option
def stats(
    last_n: int | None, by_pattern: bool, output_format: str, rules_dir: Path | None, db_url: str | None
) -> None:
    """Each rule's confirmed precision from inspectors' decisions, and which rules now go to review.

    Precision = confirmed / (confirmed + dismissed as not-a-claim or wrong-standard) over the newest decided
    cases; below MARKWATCH_PRECISION_FLOOR (with at least MARKWATCH_PRECISION_MIN_DECIDED such decisions) a
    rule's new findings are marked review."""
    policy = PrecisionPolicy.from_env()
    if last_n is not None:
        policy = dataclasses.replace(policy, last_n=last_n)
    catalogue = load_rules(rules_dir)
    with session_scope(db_url) as session:
        per_rule = rule_precision(session, last_n=policy.last_n)
        per_pattern = pattern_precision(session, last_n=policy.last_n) if by_pattern else {}
    ids = [r.rule.id for r in catalogue.rules] + sorted(set(per_rule) - {r.rule.id for r in catalogue.rules})
    if output_format == "json":

        def as_dict(tally: RulePrecision | None) -> dict[str, object] | None:
            if tally is None:
                return None
            return {**dataclasses.asdict(tally), "judged": tally.judged, "precision": tally.precision}

        document = {
            "policy": dataclasses.asdict(policy),
            "rules": [
                {
                    "rule_id": rule_id,
                    "stats": as_dict(per_rule.get(rule_id)),
                    "review": per_rule.get(rule_id) is not None and policy.below(per_rule[rule_id]),
                    "patterns": [
                        {**(as_dict(t) or {}), "review": policy.below(t)}
                        for (rid, _), t in per_pattern.items()
                        if rid == rule_id
                    ],
                }
                for rule_id in ids
            ],
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"confirmed precision over the last {policy.last_n} decided case(s) per rule; "
        f"floor {policy.floor:.2f}, at least {policy.min_judged} decision(s) to judge"
    )
    click.echo(
        f"{'RULE':<32} {'DECIDED':>7} {'CONFIRMED':>9} {'NOT-A-CLAIM':>11} {'WRONG-STD':>9} {'OTHER':>5} "
        f"{'PRECISION':>9}  STANDING"
    )
    titles = {r.rule.id: f"{r.rule.id} {r.rule.slug}" for r in catalogue.rules}
    for rule_id in ids:
        click.echo(_row(titles.get(rule_id, f"{rule_id} (retired rule)"), per_rule.get(rule_id), policy))
        for (rid, pattern), tally in per_pattern.items():
            if rid == rule_id:
                click.echo(_row(f"  pattern {pattern}", tally, policy))
