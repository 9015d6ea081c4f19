"""Rendering console pages: the Jinja environment (autoescape on) and the headers every page carries."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api.console.cookies import cookies_are_secure
from api.console.highlight import highlight
from api.console.i18n import LANG_COOKIE, LANGUAGES, Translator, pick_language
from api.console.links import safe_href, url_link
from api.console.session import COOKIE_PATH

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
    env.globals["url_link"] = url_link
    env.globals["safe_href"] = safe_href
    return env


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
    values = {"t": t, "lang": t.lang, "lang_links": _switch_links(request), "user": None, **context}
    html = environment().get_template(template).render(values)
    return with_headers(HTMLResponse(html, status_code=status_code), request)
