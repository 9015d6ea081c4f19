"""Site adapters are data (one YAML per layout); this module loads and validates them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from markwatch.errors import TargetsFileError

ADAPTER_DIR = Path(__file__).parent


class Adapter(BaseModel):
    """Where a site layout keeps its links, parameter tables and seller name (CSS selectors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    hosts: list[str] = Field(default_factory=list)
    listing_links: list[str] = Field(default_factory=list)
    item_links: list[str] = Field(default_factory=list)
    next_page: list[str] = Field(default_factory=list)
    # Item pages where none matches are counted as layout drift (error kind layout_param_table_missing):
    # extraction reads parameter rows by label anywhere, so this only tells the operator the site changed.
    param_table: list[str] = Field(default_factory=list)
    # The shop header: its text is the claimant of claims whose own row or block names none.
    seller: list[str] = Field(default_factory=list)
    # Where product images sit: area (gallery | detail | params) -> CSS selectors of their holders. Images
    # elsewhere on an item page are still read (area "page"); lazy-loading attributes are read everywhere.
    images: dict[Literal["gallery", "detail", "params"], list[str]] = Field(default_factory=dict)
    # Thumbnail addresses rewritten to the full-size picture ([regex, replacement] pairs, applied in order):
    # a 60 x 60 gallery thumbnail cannot be read, the same picture at full size can.
    image_rewrites: list[tuple[str, str]] = Field(default_factory=list)
    follow_all: bool = False
    # Query parameters that only track clicks (shell globs); the generic adapter's list applies to all.
    tracking_params: list[str] = Field(default_factory=list)


@cache
def _load_all() -> dict[str, Adapter]:
    adapters: dict[str, Adapter] = {}
    for path in sorted(ADAPTER_DIR.glob("*.yaml")):
        try:
            adapter = Adapter.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = "field " + ".".join(str(part) for part in error["loc"])
            raise TargetsFileError(error["msg"], source=str(path), where=where) from exc
        adapters[adapter.name] = adapter
    return adapters


def adapter_names() -> list[str]:
    """Every bundled adapter name."""
    return sorted(_load_all())


def get_adapter(name: str) -> Adapter:
    """The adapter called `name`."""
    try:
        return _load_all()[name]
    except KeyError:
        raise TargetsFileError(f"unknown adapter {name!r}") from None


def tracking_params(name: str) -> list[str]:
    """The tracking parameters of adapter `name`: the generic list and the adapter's own."""
    own = get_adapter(name).tracking_params
    return [*get_adapter("generic").tracking_params, *own] if name != "generic" else list(own)
