"""The API's periodic audit checkpoint: every interval, sign the chain head if it moved."""

from __future__ import annotations

import asyncio
import logging

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from markwatch.cases.checkpoints import AuditKey, export_path, write_checkpoint

log = logging.getLogger(__name__)


def checkpoint_once(factory: sessionmaker[Session], key: AuditKey) -> bool:
    """Write a checkpoint when the head moved since the last one; True when one was written."""
    with factory() as session:
        written = write_checkpoint(session, key, reason="periodic", export=export_path())
        session.commit()
        return written is not None


async def run_periodically(factory: sessionmaker[Session], key: AuditKey, every: float) -> None:
    """Until cancelled; a failed attempt is logged and retried at the next interval."""
    while True:
        await asyncio.sleep(every)
        try:
            await anyio.to_thread.run_sync(checkpoint_once, factory, key)
        except Exception:  # the next interval tries again; the API keeps serving meanwhile
            log.exception("writing an audit checkpoint failed")
