"""A notice quoting a page whose charset label lies says, as the case page does, that buyers' browsers showed
the quote otherwise (garbled): the enterprise is told what its page looked like, not only what its bytes say."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from console_support import (
    DEADLINE_ISO,
    ConsoleData,
    confirm_case,
    console_app,
    seed,
    seed_real_pages,
    sign_in,
)
from fastapi.testclient import TestClient


@pytest.fixture
def console(db_url: str) -> Iterator[tuple[TestClient, ConsoleData, dict[str, int], str]]:
    data = seed(db_url)
    real = seed_real_pages(db_url)
    with TestClient(console_app(db_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        yield client, data, real, token


@pytest.mark.parametrize(("name", "warned"), [("lying", True), ("gbk", False)])
def test_the_notice_says_when_buyers_saw_the_quote_otherwise(
    console: tuple[TestClient, ConsoleData, dict[str, int], str], name: str, warned: bool
) -> None:
    client, _, real, token = console
    case_id = real[name]
    confirm_case(client, case_id, token)
    draft = client.get(f"/console/cases/{case_id}/notice?deadline={DEADLINE_ISO}")
    assert draft.status_code == 200, draft.text
    line = re.search(r'<p class="shown-otherwise" id="notice-shown-otherwise">(.*?)</p>', draft.text, re.S)
    assert (line is not None) == warned
    if line is not None:
        assert "页面声明的字符集是 gbk，但其字节不是 gbk：本引文按 utf-8 解码" in line.group(1)
    english = client.get(f"/console/cases/{case_id}/notice?deadline={DEADLINE_ISO}&lang=en").text
    assert ("A browser that follows the declaration shows this text garbled" in english) == warned
    # Issued, the document keeps the line (it is what is hashed and reprinted).
    issued = client.post(
        f"/console/cases/{case_id}/notices",
        data={"deadline": DEADLINE_ISO, "csrf_token": token},
        follow_redirects=False,
    )
    assert issued.status_code == 303, issued.text
    seq = issued.headers["location"].rsplit("#notice-", 1)[1]
    document = client.get(f"/console/cases/{case_id}/notices/{seq}").text
    assert ('id="notice-shown-otherwise"' in document) == warned
