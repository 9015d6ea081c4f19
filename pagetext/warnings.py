"""A part of a page that could not be read: decoding and extraction both report them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PageWarning(BaseModel):
    """The extractor could not read part of the page: never to be confused with "no claim found"."""

    code: str = Field(description="too-complex | cpu-budget | undecodable-bytes | depth-cut | …")
    message: str = Field(description="what was given up and why, in one line")
