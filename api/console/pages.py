"""Rendering console pages: the Jinja environment (autoescape on) and the headers every page carries."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from api.console import wording
from api.console.archive import location_parts
from api.console.basis import cite
from api.console.cookies import cookies_are_secure
from api.console.explain import reasons_text
from api.console.highlight import highlight, reveal
from api.console.i18n import LANG_COOKIE, LANGUAGES, Translator, catalogue, pick_language
from api.console.links import safe_href, url_link
from api.console.notice_time import BEIJING_TIME_ZONES
from api.console.session import COOKIE_PATH
from api.console.settings import console_settings
from api.console.sites import site_name

# No script at all: the console works with plain forms and links. Frames only from our own origin,
# which is where the sandboxed archive route lives.
CONSOLE_CSP = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; frame-src 'self'; img-src 'self' data:; style-src 'self'"
)
# same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with our own form posts,
# which the origin check would refuse. Links to crawled pages carry rel=noreferrer themselves.
CONSOLE_HEADERS = {
    "Content-Security-Policy": CONSOLE_CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
LANG_COOKIE_SECONDS = 365 * 24 * 3600


@cache
def environment() -> Environment:
    """The template environment: autoescaping for every template, undefined names are errors."""
    env = Environment(
        loader=PackageLoader("api.console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["highlight"] = highlight
    env.filters["reveal"] = reveal
    env.filters["location_parts"] = location_parts
    env.filters["local"] = local_time
    env.filters["long_date"] = long_date
    env.globals["url_link"] = url_link
    env.globals["safe_href"] = safe_href
    env.globals["event_kind"] = wording.event_kind
    env.globals["event_details"] = wording.event_details
    env.globals["actor"] = wording.actor
    env.globals["decode_note"] = wording.decode_note
    env.globals["registry_type"] = wording.registry_type
    env.globals["sweep_error"] = wording.sweep_error
    env.globals["sweep_warning"] = wording.sweep_warning
    env.globals["given_up_warning"] = wording.given_up_warning
    env.globals["register_numbers"] = wording.register_numbers
    env.globals["sweep_state"] = wording.sweep_state
    env.globals["field_label"] = wording.field_label
    env.globals["site_name"] = site_name
    env.globals["cite"] = cite
    env.globals["reasons_text"] = reasons_text
    env.globals["hint_keys"] = frozenset(key for key in catalogue() if key.startswith("hint."))
    return env


@pass_context
def local_time(
    context: Context, value: dt.datetime | None, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M"
) -> str:
    """A stored (UTC) time in the inspectors' zone; a %Z in `fmt` names the zone in the page's language
    (北京时间 rather than CST in the Chinese UI)."""
    if value is None:
        return "—"
    local = value.astimezone(zone)
    if "%Z" in fmt and context.get("lang") == "zh" and str(zone.key) in BEIJING_TIME_ZONES:
        fmt = fmt.replace("%Z", "北京时间")
    return local.strftime(fmt)


def long_date(value: str | dt.date, lang: str) -> str:
    """A date the way a letter writes it: 2099年3月1日, or 1 March 2099."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def translator_for(request: Request) -> Translator:
    """The request's language: ?lang=, then the cookie, then Chinese."""
    return Translator(pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)))


def with_headers(response: Response, request: Request) -> Response:
    """Add the console's security headers, and remember a language picked with ?lang=."""
    for name, value in CONSOLE_HEADERS.items():
        response.headers.setdefault(name, value)
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=LANG_COOKIE_SECONDS,
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=cookies_are_secure(request),
        )
    return response


def _switch_links(request: Request) -> dict[str, str]:
    # Relative links only: the Host header is the client's to choose.
    links = {}
    for lang in LANGUAGES:
        url = request.url.include_query_params(lang=lang)
        links[lang] = f"{url.path}?{url.query}"
    return links


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> Response:
    """A template as an HTML response with the console headers."""
    t = translator_for(request)
    settings = console_settings(request)
    values = {
        "t": t,
        "lang": t.lang,
        "lang_links": _switch_links(request),
        "user": None,
        "tz": settings.zone,
        "tz_name": settings.timezone,
        # Chinese readers know these zones as 北京时间, not by their English IANA names.
        "tz_is_beijing": settings.timezone in BEIJING_TIME_ZONES,
        **context,
    }
    html = environment().get_template(template).render(values)
    return with_headers(HTMLResponse(html, status_code=status_code), request)
