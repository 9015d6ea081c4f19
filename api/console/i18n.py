"""The console's languages: Chinese first, English available; texts live in messages.yaml, not in code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from markupsafe import Markup, escape

from markwatch.errors import MarkwatchError

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANG_COOKIE = "mw_lang"


class CatalogueError(MarkwatchError):
    """The message catalogue is malformed or a key is missing."""


@cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Every message key with its text per language, read once from messages.yaml."""
    text = resources.files("api.console").joinpath("messages.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise CatalogueError("messages.yaml must map keys to {zh, en}")
    for key, texts in data.items():
        if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
            raise CatalogueError(f"messages.yaml: {key!r} needs exactly the languages {LANGUAGES}")
    return data


def pick_language(query_value: str | None, cookie_value: str | None) -> str:
    """`?lang=` wins, then the cookie, then Chinese."""
    for value in (query_value, cookie_value):
        if value in LANGUAGES:
            return value
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Translator:
    """Looks texts up for one language; a missing key is an error, never a silent blank."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        try:
            text = catalogue()[key][self.lang]
        except KeyError:
            raise CatalogueError(f"messages.yaml has no key {key!r}") from None
        if any(isinstance(value, Markup) for value in values.values()):
            # A value that is already HTML (a macro's output): the text is escaped, the value kept as it is.
            return Markup(escape(text)).format(**values)
        return text.format(**values) if values else text

    def pick(self, texts: Mapping[str, str]) -> str:
        """The text for this language from a {zh, en} pair held elsewhere (rule files)."""
        return texts.get(self.lang) or texts[DEFAULT_LANGUAGE]
