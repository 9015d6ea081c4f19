"""Sweeps refuse an empty designation registry (every claim would be an SHS001 finding no inspector could
sign): `markwatch sweep run` and `cluster start` exit 2 with one line naming the database and writing
nothing, run_sweep refuses for its other callers, and --allow-empty-registry lets a sweep run on purpose.

The scheduler's refusal is in test_scheduler.py, POST /v1/sweeps's in test_api_sweeps.py, a cluster's in
test_distributed.py. Real databases (SQLite, the suite's PostgreSQL) and a real sweep of the local site.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cases_support import import_example_registry
from click.testing import CliRunner, Result
from localsite import serve
from sqlalchemy import func, select

from checker.registry.gate import designation_count, require_registry
from crawler.store.models import Sweep, SweepUrl
from crawler.targets import load_targets
from markwatch import db
from markwatch.cli import cli
from markwatch.errors import RegistryEmpty
from sweeps.bookkeeping import run_sweep
from sweeps.cluster.worker import claim_sweep
from sweeps.models import Finding

REPO = Path(__file__).resolve().parent.parent
MARKWATCH = str(Path(sys.executable).with_name("markwatch"))


def _targets(path: Path, base: str = "http://127.0.0.1:9", names: tuple[str, ...] = ("local",)) -> Path:
    path.write_text(
        "targets:\n"
        + "".join(
            f"  - name: {name}\n"
            f'    seeds: [{{url: "{base}/list?page=1", kind: listing}}]\n'
            "    allowed_domains: [127.0.0.1]\n"
            "    adapter: demo-marketplace\n"
            "    delay: 0\n"
            for name in names
        ),
        encoding="utf-8",
    )
    return path


def _refusal(result: Result, db_url: str) -> str:
    """The one error line of a refused run, after checking it names the database and the way out."""
    output = result.output.strip()
    assert result.exit_code == 2, result.output
    assert len(output.splitlines()) == 1 and output.startswith("error: "), output
    assert "Traceback" not in output
    shown = db.get_engine(db_url).url.render_as_string(hide_password=True)
    assert f"the registry in {shown} holds no designations" in output
    assert "markwatch registry import FILE" in output and "--allow-empty-registry" in output
    return output


def _nothing_written(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Sweep)) == 0
        assert session.scalar(select(func.count()).select_from(SweepUrl)) == 0


def test_the_gate_counts_designations_and_refuses_none(db_url: str) -> None:
    with db.session_scope(db_url) as session, pytest.raises(RegistryEmpty) as refused:
        require_registry(session)
    assert refused.value.reason == "registry_empty"
    # The API and the scheduler's log carry `detail`: what an operator must do, no command-line flag.
    assert "registry is empty" in refused.value.detail and "--allow" not in refused.value.detail
    with db.session_scope(db_url) as session:
        assert require_registry(session, allow_empty=True) == 0
    import_example_registry(db_url)
    with db.session_scope(db_url) as session:
        assert require_registry(session) == designation_count(session) > 0


@pytest.mark.parametrize("extra", [[], ["--no-cases"]], ids=["cases", "no-cases"])
def test_sweep_run_refuses_an_empty_registry_and_writes_nothing(
    db_url: str, tmp_path: Path, extra: list[str]
) -> None:
    # --no-cases is refused too: the sweep's findings are still stored (see markwatch/cli/sweep.py).
    targets = _targets(tmp_path / "targets.yaml")
    jobs = tmp_path / "jobs"
    result = CliRunner().invoke(
        cli, ["sweep", "run", str(targets), "--db", db_url, "--job-dir", str(jobs), *extra]
    )
    _refusal(result, db_url)
    _nothing_written(db_url)
    assert not jobs.exists()


def test_several_targets_are_refused_once_before_any_is_started(sqlite_url: str, tmp_path: Path) -> None:
    targets = _targets(tmp_path / "targets.yaml", names=("shop-a", "shop-b"))
    _refusal(CliRunner().invoke(cli, ["sweep", "run", str(targets), "--db", sqlite_url]), sqlite_url)
    _nothing_written(sqlite_url)


def test_the_default_database_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARKWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MARKWATCH_DB", raising=False)
    targets = _targets(tmp_path / "targets.yaml")
    result = CliRunner().invoke(cli, ["sweep", "run", str(targets)])
    _refusal(result, f"sqlite:///{tmp_path / 'home' / 'markwatch.db'}")


def test_run_sweep_refuses_for_every_caller(db_url: str, tmp_path: Path) -> None:
    """The demo, the benchmarks and the CLI start sweeps through run_sweep: it refuses before the row."""
    targets = _targets(tmp_path / "targets.yaml")
    with pytest.raises(RegistryEmpty, match="holds no designations"):
        run_sweep(targets, "local", db_url=db_url, job_root=tmp_path / "jobs")
    _nothing_written(db_url)


def test_allow_empty_registry_sweeps_with_a_warning_and_every_claim_is_unregistered(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    # The production checker (rules): what an empty registry really makes of a claim.
    env = {k: v for k, v in os.environ.items() if k != "MARKWATCH_CHECKER"}
    env["MARKWATCH_HOME"] = str(tmp_path / "home")
    with serve(listing_pages=1, items_per_page=2) as site:
        targets = _targets(tmp_path / "targets.yaml", site.base)
        result = subprocess.run(
            [MARKWATCH, "sweep", "run", str(targets), "--db", db_url, "--job-dir", str(tmp_path / "jobs"),
             "--set", "AUTOTHROTTLE_ENABLED=false", "--no-cases", "--allow-empty-registry"],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "warning: the registry in sqlite:///" in result.stderr and "holds no designations" in result.stderr
    assert "sweep 1 local: finished" in result.stdout
    with db.session_scope(db_url) as session:
        rules = list(session.scalars(select(Finding.rule_id)))
    assert rules and set(rules) == {"SHS001"}
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        # The allowance is the sweep's: its resumes (and cluster workers) judge against nothing too.
        assert sweep.summary["allow_empty_registry"] is True
        sweep.state = "interrupted"
    resumed = subprocess.run(
        [MARKWATCH, "sweep", "resume", "1", "--db", db_url, "--job-dir", str(tmp_path / "jobs"), "--no-cases"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "sweep 1 local: finished" in resumed.stdout


def test_resuming_a_sweep_after_its_registry_was_emptied_is_refused(db_url: str, tmp_path: Path) -> None:
    targets = _targets(tmp_path / "targets.yaml")
    target = load_targets(targets).get("local")
    with db.session_scope(db_url) as session:
        session.add(
            Sweep(target="local", started_at=db.utcnow(), state="interrupted",
                  summary={"target": target.model_dump(mode="json")})
        )  # fmt: skip
    with db.session_scope(db_url) as session:
        sweep_id = session.scalars(select(Sweep.id)).one()
    result = CliRunner().invoke(cli, ["sweep", "resume", str(sweep_id), "--db", db_url])
    _refusal(result, db_url)
    with db.session_scope(db_url) as session:
        assert session.scalars(select(Sweep.state)).one() == "interrupted"  # untouched, resumable later


def test_a_filled_registry_sweeps_without_a_word_about_it(sqlite_url: str, tmp_path: Path) -> None:
    import_example_registry(sqlite_url)
    env = dict(os.environ, MARKWATCH_CHECKER="code_checker:factory", MARKWATCH_HOME=str(tmp_path / "home"),
               PYTHONPATH=str(REPO / "tests" / "data" / "crawler"))  # fmt: skip
    with serve(listing_pages=1, items_per_page=2) as site:
        targets = _targets(tmp_path / "targets.yaml", site.base)
        result = subprocess.run(
            [MARKWATCH, "sweep", "run", str(targets), "--db", sqlite_url, "--job-dir", str(tmp_path / "jobs"),
             "--set", "AUTOTHROTTLE_ENABLED=false"],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "sweep 1 local: finished" in result.stdout and "warning: the registry" not in result.stderr


def test_a_cluster_worker_refuses_an_emptied_registry_unless_its_sweep_was_allowed(
    db_url: str, tmp_path: Path
) -> None:
    target = load_targets(_targets(tmp_path / "targets.yaml")).get("local").model_dump(mode="json")
    with db.session_scope(db_url) as session:
        for name, allowed in (("refused", False), ("allowed", True)):
            summary = {"distributed": True, "target": {**target, "name": name}}
            if allowed:
                summary["allow_empty_registry"] = True
            session.add(Sweep(target=name, started_at=db.utcnow(), state="interrupted", summary=summary))
    with db.session_scope(db_url) as session:
        ids = dict(session.execute(select(Sweep.target, Sweep.id)).all())
    with pytest.raises(RegistryEmpty, match="holds no designations"):
        claim_sweep(ids["refused"], db_url)
    assert claim_sweep(ids["allowed"], db_url).name == "allowed"
    with db.session_scope(db_url) as session:
        states = dict(session.execute(select(Sweep.target, Sweep.state)).all())
    assert states == {"refused": "interrupted", "allowed": "running"}  # the refused one is left as it was
