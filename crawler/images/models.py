"""Image evidence of sweeps: each image's bytes once per sha256, and every place it was seen."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from markwatch.db import Base, UTCDateTime


class ImageBody(Base):
    """An image as fetched, stored once per sha256 of its bytes (the evidence key claims cite)."""

    __tablename__ = "images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    # Sniffed from the bytes, never the server's word; None when the bytes are no image we read.
    content_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class ImageSighting(Base):
    """One image address on one page of one sweep: where it sat, and what became of fetching it."""

    __tablename__ = "image_sightings"
    __table_args__ = (Index("ix_image_sightings_sweep_url", "sweep_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sweep_id: Mapped[int | None] = mapped_column(ForeignKey("sweeps.id"), nullable=True, index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), nullable=True, index=True)
    page_url: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    area: Mapped[str] = mapped_column(String(20), nullable=False, default="page")
    location: Mapped[str] = mapped_column(Text, nullable=False, default="")
    block_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    url: Mapped[str] = mapped_column(Text, nullable=False)
    # pending | fetched | failed | refused (not fetched: off the allowed image hosts, or over a limit)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    reason: Mapped[str | None] = mapped_column(String(60), nullable=True)
    image_sha256: Mapped[str | None] = mapped_column(ForeignKey("images.sha256"), nullable=True, index=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
