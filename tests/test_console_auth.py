"""Console sign-in and sign-out: cookie flags, expiry, CSRF on every form, roles, redirects."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from cases_support import TEST_SECRET
from console_support import ConsoleData, console_app, csrf_from, seed, sign_in
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.console.auth import form_user
from api.console.router import CONSOLE_ROUTERS
from api.console.routes_fallback import NOT_FOUND_ROUTE
from api.console.session import PRESESSION_COOKIE, SESSION_COOKIE, decode_session, encode_session

PAGES = ("/console/cases", "/console/dashboard", "/console/sweeps", "/console/cases/1")


@pytest.fixture
def console(sqlite_url: str) -> Iterator[tuple[TestClient, ConsoleData]]:
    data = seed(sqlite_url)
    with TestClient(console_app(sqlite_url)) as client:
        yield client, data


def _set_cookie_header(response: object, name: str) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    [header] = [h for h in headers if h.startswith(f"{name}=")]
    return str(header)


def test_pages_redirect_to_sign_in_without_a_session(console: tuple[TestClient, ConsoleData]) -> None:
    client, _ = console
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/console/login?next=%2Fconsole%2F")


def test_sign_in_sets_a_hardened_session_cookie(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    form = client.get("/console/login")
    assert form.status_code == 200
    response = client.post(
        "/console/login",
        data={
            "api_key": data.keys["inspector"],
            "csrf_token": csrf_from(form.text),
            "next": "/console/sweeps",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sweeps"
    cookie = _set_cookie_header(response, SESSION_COOKIE).lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/console" in cookie
    max_age = int(re.search(r"max-age=(\d+)", cookie).group(1))  # type: ignore[union-attr]
    assert 0 < max_age <= 12 * 3600
    # The secret key is not in the cookie, and the cookie decodes only with the app's secret.
    value = client.cookies.get(SESSION_COOKIE)
    assert value and data.keys["inspector"] not in value
    assert decode_session(TEST_SECRET, value) is not None
    assert decode_session("another-secret-key-0123456789abcdefghij", value) is None
    assert client.get("/console/sweeps").status_code == 200


def test_sign_in_refuses_enterprise_and_bad_keys(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    for key, status, text in (
        (data.keys["enterprise"], 403, "不是检查员或管理员密钥"),
        ("mwk_not-a-real-key", 401, "密钥无效"),
        ("", 401, "密钥无效"),
    ):
        token = csrf_from(client.get("/console/login").text)
        response = client.post(
            "/console/login", data={"api_key": key, "csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == status
        assert text in response.text
        assert SESSION_COOKIE not in client.cookies
    assert client.get("/console/cases", follow_redirects=False).status_code == 303


def test_admin_may_sign_in(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    sign_in(client, data.keys["admin"])
    page = client.get(f"/console/cases/{data.cases['wording']}")
    assert page.status_code == 200
    assert 'id="waiver-form"' in page.text


def test_sign_in_form_needs_its_csrf_token(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"api_key": data.keys["inspector"], "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_next_never_leaves_the_console(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    for target in ("https://evil.example/", "//evil.example/x", "/v1/cases", "/console/\\evil"):
        client.cookies.clear()
        token = csrf_from(client.get("/console/login").text)
        response = client.post(
            "/console/login",
            data={"api_key": data.keys["inspector"], "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/console/cases", target


def test_sign_out_needs_csrf_and_ends_the_session(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    token = sign_in(client, data.keys["inspector"])
    assert (
        client.post("/console/logout", data={"csrf_token": "wrong"}, follow_redirects=False).status_code
        == 403
    )
    assert client.get("/console/cases").status_code == 200
    response = client.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/console/cases", follow_redirects=False).status_code == 303


def test_every_post_route_checks_csrf() -> None:
    def depends_on_form_user(dependant: object) -> bool:
        deps = getattr(dependant, "dependencies", [])
        return any(d.call is form_user or depends_on_form_user(d) for d in deps)

    posts = [
        route
        for router in CONSOLE_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    ]
    assert len(posts) >= 7
    for route in posts:
        # Sign-in has no session yet: it checks the pre-session token itself (tested above).
        if route.path == "/console/login":
            continue
        # The fallback only answers 404/405 for addresses the console does not have: it changes nothing.
        if route.name == NOT_FOUND_ROUTE:
            continue
        assert depends_on_form_user(route.dependant), f"{route.path} does not check the CSRF token"


def test_every_form_posts_with_a_csrf_field(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    sign_in(client, data.keys["admin"])
    html = client.get(f"/console/cases/{data.cases['wording']}").text
    forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
    assert len(forms) >= 4
    for form in forms:
        assert 'name="csrf_token"' in form, form[:120]


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_posts_without_the_session_token_are_refused(
    console: tuple[TestClient, ConsoleData], token: str
) -> None:
    client, data = console
    sign_in(client, data.keys["admin"])
    case_id = data.cases["wording"]
    for path, form in (
        (f"/console/cases/{case_id}/transition", {"to": "in_review"}),
        (f"/console/cases/{case_id}/comment", {"body": "x"}),
        (f"/console/cases/{case_id}/assign", {"assignee": "bob"}),
        (f"/console/cases/{case_id}/waivers", {"reason": "x", "expires_on": "2099-01-01"}),
    ):
        response = client.post(path, data={**form, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, path
    detail = client.get(f"/console/cases/{case_id}").text
    assert 'data-status="open"' in detail
    assert 'data-kind="commented"' not in detail


def test_a_token_from_another_session_is_refused(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    other_token = sign_in(client, data.keys["admin"])
    client.cookies.clear()
    sign_in(client, data.keys["inspector"])
    response = client.post(
        f"/console/cases/{data.cases['wording']}/comment",
        data={"body": "x", "csrf_token": other_token},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_a_cross_origin_post_is_refused_even_with_the_token(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    token = sign_in(client, data.keys["inspector"])
    response = client.post(
        f"/console/cases/{data.cases['wording']}/comment",
        data={"body": "x", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_expired_forged_and_revoked_sessions_are_refused(
    console: tuple[TestClient, ConsoleData], sqlite_url: str
) -> None:
    client, data = console
    sign_in(client, data.keys["inspector"])
    key_id = decode_session(TEST_SECRET, client.cookies.get(SESSION_COOKIE))
    assert key_id is not None
    expired, _ = encode_session(TEST_SECRET, key_id.key_id, now=time.time() - 9 * 3600)
    forged, _ = encode_session("forged-secret-0123456789abcdefghijklmnop", key_id.key_id)
    for value in (expired, forged, "garbage", expired.split(".")[0] + ".x"):
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, value, path="/console")
        assert client.get("/console/cases", follow_redirects=False).status_code == 303
    # A key revoked after sign-in ends its console session at the next request.
    client.cookies.clear()
    sign_in(client, data.keys["inspector"])
    from markwatch import db
    from markwatch.cases.keys import revoke_key

    with db.session_scope(sqlite_url) as session:
        revoke_key(session, key_id.key_id)
    assert client.get("/console/cases", follow_redirects=False).status_code == 303


def test_production_cookies_are_secure_behind_a_tls_proxy(sqlite_url: str) -> None:
    # TLS ends at the proxy: the app sees http, the browser uses https; cookies must still be Secure
    # (which is also why this client, speaking plain http, cannot then sign in with them).
    seed(sqlite_url)
    for environment, secure in (("production", True), ("test", False)):
        with TestClient(console_app(sqlite_url, environment=environment)) as client:
            form = client.get("/console/login")
        assert form.status_code == 200
        assert ("secure" in _set_cookie_header(form, PRESESSION_COOKIE).lower()) is secure
