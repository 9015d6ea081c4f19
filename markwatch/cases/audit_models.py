"""Signed checkpoints of the audit chain's head (table audit_checkpoints, migration 0007)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from markwatch.db import Base, UTCDateTime

HASH_LENGTH = 64


class AuditCheckpoint(Base):
    """The chain's length and head hash at a moment, HMAC-signed with a key the database never holds."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    head_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(HASH_LENGTH))
