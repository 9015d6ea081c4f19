"""Image evidence of sweeps: where each image was seen, and how far its reading and checking got.

The image bytes themselves are snapshots like pages (`snapshot_bodies`, once per sha256, and one
`snapshots` row per fetch of an image URL): one store that the console, the API and notices read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from markwatch.db import Base, UTCDateTime

# What became of one sighting (one image on one page of one sweep):
#   waiting  the image URL is queued or in flight (the sweep's ledger has no outcome for it yet)
#   fetched  its bytes are stored (image_sha256 set); reading them is pending
#   read     read (or refused by the reader or its gate: reason); the page's check with it is pending
#   failed   not fetched (reason: the ledger's "failed:<kind>" or "skipped:<robots|offsite|...>")
#   checked  the page was checked with this image's reading: done
SIGHTING_STATES = ("waiting", "fetched", "read", "failed", "checked")
# States that still hold image work a sweep took on: a sweep is not finished while any is left.
PENDING_STATES = ("waiting", "fetched", "read")


class ImageSighting(Base):
    """One image on one page of one sweep: where it sat, what became of fetching, reading and checking it."""

    __tablename__ = "image_sightings"
    __table_args__ = (
        UniqueConstraint("sweep_id", "page_url", "position"),
        Index("ix_image_sightings_sweep_url", "sweep_id", "url"),
        Index("ix_image_sightings_sweep_status", "sweep_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sweep_id: Mapped[int] = mapped_column(ForeignKey("sweeps.id"), nullable=False)
    # The page's snapshot (its text and context are read again when the page is checked with its images).
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), nullable=True, index=True)
    # The page as its findings name it (canonical final URL) and as the ledger knows it (requested).
    page_url: Mapped[str] = mapped_column(Text, nullable=False)
    page_ledger_url: Mapped[str] = mapped_column(Text, nullable=False)
    # The shop header the adapter found on the page: the claimant of image claims that name none.
    seller: Mapped[str | None] = mapped_column(Text, nullable=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    area: Mapped[str] = mapped_column(String(20), nullable=False, default="page")
    location: Mapped[str] = mapped_column(Text, nullable=False, default="")
    block_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The image URL as the sweep's ledger keys it (canonical), so its fetch outcome can be looked up.
    url: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="waiting")
    reason: Mapped[str | None] = mapped_column(String(80), nullable=True)
    image_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # "read": read by OCR for this sweep; "cached": a reading made earlier (same bytes, same reader).
    reading: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # Claims the image gave on this page when the page was checked with it.
    claims: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    # Which image stage holds the work (cluster workers each run one) and until when, so a dead one's
    # work is taken over, never lost, and two live ones do not read the same image at once.
    lease_owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # How often a resume of the sweep read it again after markwatch's own reading failed (a run failure:
    # timeout, crashed or failing worker, no worker): bounded by MARKWATCH_MAX_ATTEMPTS, then given up.
    retries: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
