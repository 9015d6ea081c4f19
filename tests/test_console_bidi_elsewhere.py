"""The page's bidi controls and invisible characters are shown, never obeyed, wherever the console or a notice
repeats page words: the notice's addressee and product (an official document whose addressee line an override
drew backwards), and the sweep page's list of the cases it opened (an override ran on over the rule and status)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from console_support import DEADLINE_ISO, confirm_case, console_app, make_keys, sign_in
from fastapi.testclient import TestClient
from test_console_browser_bidi import _seed

from crawler.store.models import Sweep
from markwatch import db

CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u200b]")


@pytest.fixture
def console(sqlite_url: str) -> Iterator[tuple[TestClient, int, str]]:
    case_id = _seed(sqlite_url)
    with TestClient(console_app(sqlite_url)) as client:
        token = sign_in(client, make_keys(sqlite_url)["inspector"])
        yield client, case_id, token


def test_the_notice_shows_the_claimants_bidi_controls_as_markers(
    console: tuple[TestClient, int, str],
) -> None:
    client, case_id, token = console
    confirm_case(client, case_id, token)
    html = client.get(f"/console/cases/{case_id}/notice?deadline={DEADLINE_ISO}").text
    enterprise = re.search(r'<span id="notice-enterprise">(.*?)</span>\W', html, re.S)
    assert enterprise is not None and "⟨U+202E⟩" in enterprise.group(1) and "⟨U+202C⟩" in enterprise.group(1)
    assert CONTROLS.search(html) is None


def test_the_sweep_page_shows_the_claimants_bidi_controls_as_markers(
    console: tuple[TestClient, int, str], sqlite_url: str
) -> None:
    client, _, _ = console
    with db.session_scope(sqlite_url) as session:
        sweep_id = session.query(Sweep).filter_by(target="bidi").one().id
    html = client.get(f"/console/sweeps/{sweep_id}").text
    opened = re.search(r'<ul id="opened-cases">(.*?)</ul>', html, re.S)
    assert opened is not None and "⟨U+202E⟩" in opened.group(1)
    assert CONTROLS.search(html) is None
