"""The image half of the page writer's transaction: image bytes, sightings, and linking the two.

Runs inside `sweeps.storage.write_batch`, in the writer thread, in the same transaction as the pages and
ledger outcomes of the batch, so it inherits the writer's guarantees (group commit, retries of lost races,
spooling during outages, acknowledgement only after commit) and its idempotency:

- An image is claimed through its ledger row (queued -> stored, INSERT .. ON CONFLICT DO UPDATE .. WHERE not
  stored RETURNING): an image delivered twice, or by two workers at once, gets one snapshot. Its bytes go to
  `snapshot_bodies` once per sha256, like a page's: the one store the console, the API and notices read.
- A page's sightings are written only when its page row was claimed here (so once), and a sighting is
  linked to what became of its image URL in the ledger: fetched (with the sha256) or failed with the
  ledger's reason. A link missed by a race between two workers' transactions is made later by the image
  stage (`link_sightings` again), never lost: a sweep does not finish while any sighting is waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, and_, bindparam, select, update
from sqlalchemy.orm import Session

from crawler.images.loading import sniff
from crawler.images.models import ImageSighting
from crawler.ledger import IMAGE, insert
from crawler.store.models import PARTIAL, Snapshot, SnapshotBody, SweepPage, SweepUrl

# sweep_pages never holds images: the writer marks a fetched image with this status instead of checking it.
IMAGE_STATUS = "image"
_CHUNK = 500
# Already-compressed formats are stored as they are (zlib level 0: still a zlib stream, no CPU spent
# compressing what does not compress); anything else is compressed like a page.
_COMPRESSED_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def _level(body: bytes) -> int:
    if body.startswith(_COMPRESSED_MAGIC) or (body[:4] == b"RIFF" and body[8:12] == b"WEBP"):
        return 0
    return 6


def store_images(session: Session, sweep_id: int, images: Sequence[Any], now: dt.datetime) -> set[str]:
    """Fetched images (CheckedPage with status IMAGE_STATUS): claimed in the ledger, bytes and snapshot
    written for those claimed here; returns the ledger URLs claimed."""
    unique = {image.url: image for image in images}
    if not unique:
        return set()
    ordered = [unique[url] for url in sorted(unique)]
    # Each statement is one executemany with rows as parameters, not a VALUES list built into the statement:
    # compiled once per process and cached, where a statement of N literal rows was compiled for every batch
    # (most of what storing an image cost the crawl process).
    rows = [
        {
            "sweep_id": sweep_id,
            "url": image.url,
            "state": "stored",
            "kind": IMAGE,
            "reason": None,
            "taken": True,
            "request": None,
            "notes": None,
            "requeues": 0,
            "discovered_at": now,
            "done_at": now,
        }
        for image in ordered
    ]
    ledger: Table = SweepUrl.__table__  # type: ignore[assignment]
    statement = insert(session, ledger)
    excluded = statement.excluded
    claim = statement.on_conflict_do_update(
        index_elements=["sweep_id", "url"],
        set_={
            "state": excluded.state,
            "reason": None,
            "taken": True,
            "request": None,
            "done_at": excluded.done_at,
        },
        where=ledger.c.state != "stored",
    ).returning(ledger.c.url)
    connection = session.connection()
    claimed = set(connection.execute(claim, rows).scalars())
    new = [image for image in ordered if image.url in claimed]
    if not new:
        return claimed
    digests = {image.url: hashlib.sha256(image.item.body).hexdigest() for image in new}
    bodies = {digests[image.url]: image.item.body for image in new}
    session.execute(
        insert(session, SnapshotBody).on_conflict_do_nothing(index_elements=["sha256"]),
        [
            {"sha256": digest, "body": zlib.compress(body, _level(body)), "size": len(body)}
            for digest, body in sorted(bodies.items())
        ],
    )
    session.execute(
        insert(session, Snapshot),
        [
            {
                "body_sha256": digests[image.url],
                "requested_url": image.url,
                "final_url": image.item.final_url,
                "status": image.item.status,
                "headers": image.item.headers,
                "fetched_at": image.item.fetched_at,
                "sweep_id": sweep_id,
            }
            for image in new
        ],
    )
    return claimed


def record_sightings(
    session: Session, sweep_id: int, pages: Sequence[Any], snapshots: dict[str, int], now: dt.datetime
) -> list[str]:
    """Sightings of the pages whose rows this batch claimed (`snapshots`: ledger URL -> snapshot id);
    returns the image URLs they name. A page has `url` (its ledger URL), `page_url`, `seller`, `seen_at`
    and `sightings` (sweeps.storage.CheckedPage, crawler.images.scan.ScannedPage)."""
    rows = [
        {
            "sweep_id": sweep_id,
            "snapshot_id": snapshots[page.url],
            "page_url": page.page_url,
            "page_ledger_url": page.url,
            "seller": page.seller,
            "position": image["position"],
            "area": image["area"],
            "location": str(image["location"])[:2000],
            "block_text": str(image["block_text"]),
            "url": image["url"],
            "status": "waiting",
            "reason": None,
            "image_sha256": None,
            "reading": None,
            "claims": 0,
            "seen_at": page.seen_at,
            "lease_owner": None,
            "lease_until": None,
        }
        for page in pages
        if page.url in snapshots
        for image in page.sightings
    ]
    if not rows:
        return []
    rows.sort(key=lambda row: (row["page_url"], row["position"]))
    # Core executemany on the table, as for the images: the ORM's bulk insert cost about 45 us a row.
    table: Table = ImageSighting.__table__  # type: ignore[assignment]
    session.connection().execute(
        insert(session, table).on_conflict_do_nothing(index_elements=["sweep_id", "page_url", "position"]),
        rows,
    )
    return sorted({row["url"] for row in rows})


def link_sightings(session: Session, sweep_id: int, urls: Iterable[str]) -> int:
    """Waiting sightings of these image URLs, moved on by what the ledger says became of them; how many."""
    wanted = sorted(set(urls))
    if not wanted:
        return 0
    outcomes: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for url, state, reason in session.execute(
            select(SweepUrl.url, SweepUrl.state, SweepUrl.reason).where(
                SweepUrl.sweep_id == sweep_id, SweepUrl.url.in_(chunk), SweepUrl.state != "queued"
            )
        ):
            outcomes[url] = (state, reason)
    # An image that is also a link's target (<a href=label.png><img src=label.png>, a lightbox) was fetched
    # once, as a page, and failed as not_html: its stored bytes are the image, read as such.
    as_pages = sorted(
        url for url, (state, reason) in outcomes.items() if state == "failed" and reason == "not_html"
    )
    for start in range(0, len(as_pages), _CHUNK):
        chunk = as_pages[start : start + _CHUNK]
        for url, body in session.execute(
            select(Snapshot.requested_url, SnapshotBody.body)
            .join(SnapshotBody, SnapshotBody.sha256 == Snapshot.body_sha256)
            .where(Snapshot.sweep_id == sweep_id, Snapshot.requested_url.in_(chunk))
        ):
            if sniff(zlib.decompressobj().decompress(body, 4096)) not in (None, "svg"):
                outcomes[url] = ("stored", None)
    stored = sorted(url for url, (state, _) in outcomes.items() if state == "stored")
    digests: dict[str, str] = {}
    for start in range(0, len(stored), _CHUNK):
        chunk = stored[start : start + _CHUNK]
        for url, digest in session.execute(
            select(Snapshot.requested_url, Snapshot.body_sha256)
            .where(Snapshot.sweep_id == sweep_id, Snapshot.requested_url.in_(chunk))
            .order_by(Snapshot.id)
        ):
            digests[url] = digest
    table: Table = ImageSighting.__table__  # type: ignore[assignment]
    waiting = and_(
        table.c.sweep_id == sweep_id, table.c.url == bindparam("image_url"), table.c.status == "waiting"
    )
    fetched = [{"image_url": url, "digest": digest} for url, digest in sorted(digests.items())]
    failed = [
        {"image_url": url, "why": f"{state}:{reason or 'unknown'}"[:80]}
        for url, (state, reason) in sorted(outcomes.items())
        if state != "stored"
    ]
    moved = 0
    connection = session.connection()
    if fetched:
        result = connection.execute(
            update(table).where(waiting).values(status="fetched", image_sha256=bindparam("digest")), fetched
        )
        moved += max(0, result.rowcount or 0)
    if failed:
        # The pages showing these images were not read whole: each is partial now (it will get no other
        # look: with every sighting failed, the image stage never checks it), so none closes a case.
        reasons = {row["image_url"]: row["why"] for row in failed}
        unread = [
            sighting
            for sighting in session.scalars(
                select(ImageSighting).where(
                    ImageSighting.sweep_id == sweep_id,
                    ImageSighting.status == "waiting",
                    ImageSighting.url.in_(sorted(reasons)),
                )
            )
            if leaves_page_unread(reasons[sighting.url])
        ]
        result = connection.execute(
            update(table).where(waiting).values(status="failed", reason=bindparam("why")), failed
        )
        moved += max(0, result.rowcount or 0)
        by_page: dict[str, list[tuple[str, str]]] = {}
        for sighting in unread:
            by_page.setdefault(sighting.page_ledger_url, []).append((sighting.url, reasons[sighting.url]))
        for ledger_url, images in sorted(by_page.items()):
            mark_unread(session, sweep_id, ledger_url, images)
    return moved


# Sightings whose image was not fetched because the target does not allow its host: a choice of the target's
# settings (image_domains), the same every sweep, not a page left unread.
_NOT_EVIDENCE = ("skipped:offsite",)


def leaves_page_unread(reason: str | None) -> bool:
    """Whether a sighting's failure (`failed:http_503`, `error:unreadable`…) leaves its page not read whole.

    Gate decisions (`gate:blank`, `gate:too-small`: the image cannot hold a line of text) and hosts the target
    does not allow do not."""
    if not reason or reason.startswith("gate:"):
        return False
    return not reason.startswith(_NOT_EVIDENCE)


def mark_unread(session: Session, sweep_id: int, ledger_url: str, images: list[tuple[str, str]]) -> None:
    """A page whose images (url, reason) could not be fetched or read: partial, with a warning each.

    Read as "no claim", such a page resolved its findings and closed a case awaiting rectification as
    rectified, although the claim may still be in the image."""
    add_page_warnings(session, sweep_id, ledger_url, [unread_warning(url, reason) for url, reason in images])


def unread_warning(url: str, reason: str) -> dict[str, str]:
    """The page warning of an image (url) not fetched or read, for `reason` (`failed:http_503`, `error:timeout`)."""
    kind = reason.split(":", 1)[-1] or "unknown"
    return {"code": f"image-{kind}", "message": f"image {url} not read: {reason}"}


# The key a page warning carries once markwatch gave its item up (MARKWATCH_MAX_ATTEMPTS): how many attempts.
GIVEN_UP_AFTER = "given_up_after"


def given_up_mark(warning: dict[str, Any], attempts: int) -> dict[str, Any]:
    """A page warning of an item markwatch failed itself and gave up after `attempts` attempts: the same warning
    (its code is the reason), saying it is no longer retried on resume."""
    message = f"{warning['message']}; given up after {attempts} attempt(s) (MARKWATCH_MAX_ATTEMPTS)"
    return {**warning, "message": message, GIVEN_UP_AFTER: attempts}


def given_up_image_warning(url: str, reason: str, attempts: int) -> dict[str, Any]:
    """The page warning of an image (url) markwatch's reading failed on (`reason`) `attempts` times, given up."""
    return given_up_mark({**unread_warning(url, reason), "image": url}, attempts)


def is_image_warning(url: str, reason: str) -> Callable[[dict[str, Any]], bool]:
    """Picks the page warning of an image not read for `reason`, marked given up or not."""
    plain = unread_warning(url, reason)

    def same(warning: dict[str, Any]) -> bool:
        return warning == plain or (warning.get("code") == plain["code"] and warning.get("image") == url)

    return same


def swap_page_warning(
    session: Session,
    sweep_id: int,
    ledger_url: str,
    old: Callable[[dict[str, Any]], bool],
    new: dict[str, Any] | None,
    *,
    add: bool,
) -> None:
    """The stored page's warnings that `old` picks replaced by `new` (one, in the place of the first; taken off
    when None), `new` added when none matched and `add`; a page with warnings is `partial`, one left with none
    that was `partial` is `ok`."""
    page = session.scalars(
        select(SweepPage).where(SweepPage.sweep_id == sweep_id, SweepPage.url == ledger_url)
    ).first()
    if page is None:
        return
    current = list(page.warnings or [])
    kept: list[dict[str, Any]] = []
    matched = False
    for warning in current:
        if old(warning):
            if not matched and new is not None:
                kept.append(new)
            matched = True
        else:
            kept.append(warning)
    if not matched and add and new is not None:
        kept.append(new)
    if kept == current:
        return
    page.warnings = kept
    if kept and page.status == "ok":
        page.status = PARTIAL
    elif not kept and page.status == PARTIAL:
        page.status = "ok"


def images_over_limit(limit: int) -> dict[str, str]:
    """The warning of a page that shows more images than the target's max_images_per_page."""
    return {
        "code": "images-over-limit",
        "message": f"more than {limit} images: only the first {limit} were fetched (max_images_per_page)",
    }


def add_page_warnings(
    session: Session, sweep_id: int, ledger_url: str, warnings: list[dict[str, str]]
) -> None:
    """Warnings on a stored page (each once); an `ok` page becomes `partial`."""
    page = session.scalars(
        select(SweepPage).where(SweepPage.sweep_id == sweep_id, SweepPage.url == ledger_url)
    ).first()
    if page is None or not warnings:
        return
    kept = list(page.warnings or [])
    kept.extend(warning for warning in warnings if warning not in kept)
    page.warnings = kept
    if page.status == "ok":
        page.status = PARTIAL


def drop_page_warnings(
    session: Session, sweep_id: int, ledger_url: str, warnings: list[dict[str, str]]
) -> None:
    """These warnings taken off a stored page (an image read after all); a `partial` page left with none is `ok`."""
    if not warnings:
        return
    page = session.scalars(
        select(SweepPage).where(SweepPage.sweep_id == sweep_id, SweepPage.url == ledger_url)
    ).first()
    if page is None or not page.warnings:
        return
    kept = [warning for warning in page.warnings if warning not in warnings]
    if len(kept) == len(page.warnings):
        return
    page.warnings = kept
    if page.status == PARTIAL and not kept:
        page.status = "ok"
