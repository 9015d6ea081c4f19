"""Registry tables: designations, their holders, import batches and the field changes each batch made."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from markwatch.db import Base, UTCDateTime, utcnow


class DesignationType(StrEnum):
    """The four kinds of standard that can be designated (domain.md §2)."""

    LOCAL = "local"
    GROUP = "group"
    ENTERPRISE = "enterprise"
    ENTERPRISE_JOINT = "enterprise-joint"


class ChangeAction(StrEnum):
    """What an import did to one designation."""

    ADDED = "added"
    UPDATED = "updated"


DESIGNATION_TYPES = tuple(t.value for t in DesignationType)
USCC_LENGTH = 18
CODE_LENGTH = 100


class Designation(Base):
    """One designated (or pooled) standard edition, keyed by its normalised code."""

    __tablename__ = "registry_designations"
    __table_args__ = (
        CheckConstraint("type IN ('local', 'group', 'enterprise', 'enterprise-joint')", name="type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    code_key: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    number_key: Mapped[str] = mapped_column(String(CODE_LENGTH), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(20))
    designated_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    revoked_on: Mapped[dt.date | None] = mapped_column(Date)
    abolished_on: Mapped[dt.date | None] = mapped_column(Date)
    pool_entered_on: Mapped[dt.date | None] = mapped_column(Date)
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    holders: Mapped[list[DesignationHolder]] = relationship(
        back_populates="designation",
        cascade="all, delete-orphan",
        order_by="DesignationHolder.position",
        lazy="selectin",
    )


class DesignationHolder(Base):
    """A holder of a designated standard (the enterprise, association or consortium lead)."""

    __tablename__ = "registry_holders"
    __table_args__ = (UniqueConstraint("designation_id", "position", name="uq_registry_holders_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    designation_id: Mapped[int] = mapped_column(
        ForeignKey("registry_designations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    uscc: Mapped[str | None] = mapped_column(String(USCC_LENGTH))
    # Other registered names (checker/holder_names.py): English names from the holder's registration, and
    # the names it had before a rename. Empty: none registered, so English names on pages are not compared.
    english_names: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    former_names: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    designation: Mapped[Designation] = relationship(back_populates="holders")


class ImportBatch(Base):
    """One run of `registry import`: which file, its checksum, when, and how many records it touched."""

    __tablename__ = "registry_import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)

    changes: Mapped[list[DesignationChange]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="DesignationChange.id"
    )


class DesignationChange(Base):
    """One field of one designation changed by a batch (old and new values as JSON text)."""

    __tablename__ = "registry_changes"
    __table_args__ = (CheckConstraint("action IN ('added', 'updated')", name="action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("registry_import_batches.id", ondelete="CASCADE"), index=True
    )
    designation_id: Mapped[int] = mapped_column(
        ForeignKey("registry_designations.id", ondelete="CASCADE"), index=True
    )
    code_key: Mapped[str] = mapped_column(String(CODE_LENGTH))
    action: Mapped[str] = mapped_column(String(10))
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    batch: Mapped[ImportBatch] = relationship(back_populates="changes")
