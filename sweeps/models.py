"""The findings table: what a sweep's checking judged on each snapshot (principle 4: findings sit above the crawl
and the checker, so their table lives with the sweeps that write them, not with the crawl's snapshots)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from markwatch.db import Base, UTCDateTime


class Finding(Base):
    """A finding of one sweep on one snapshot; finding_key is stable across sweeps."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("sweep_id", "finding_key"),
        Index("ix_findings_finding_key", "finding_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sweep_id: Mapped[int] = mapped_column(ForeignKey("sweeps.id"), nullable=False, index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), nullable=True, index=True)
    finding_key: Mapped[str] = mapped_column(String(200), nullable=False)
    rule_id: Mapped[str] = mapped_column(String(40), nullable=False)
    severity: Mapped[str] = mapped_column(String(20), nullable=False)
    standard_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claim: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    page_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    site: Mapped[str | None] = mapped_column(String(255), nullable=True)
    claimant: Mapped[str | None] = mapped_column(Text, nullable=True)
    observed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
