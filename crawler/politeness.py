"""Per-host politeness as a site asks for it: robots.txt Crawl-delay / Request-rate, and Retry-After pauses.

Scrapy spaces a download slot's requests (one slot per host name) by DOWNLOAD_DELAY, which AutoThrottle
moves and RANDOMIZE_DOWNLOAD_DELAY jitters down to half, and it reads neither a robots.txt Crawl-delay nor a
server's Retry-After for more than the one request that carried it. `HostPolicy` keeps what each host asked
for (the robots.txt middleware and the retry middleware tell it); the slots `PoliteDownloader` makes never
let a request out sooner than that, whatever AutoThrottle and the jitter say. The policy outlives a slot
(Scrapy drops slots idle for a minute and makes them anew with the default delay).

A cluster worker shares its policy (`HostPolicy.share`): pauses and warnings go to every worker through
Redis, and requests wait for their host's cluster-wide booking instead of this process's slots
(crawler/cluster/politeness.py).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from protego import Protego
from scrapy import Request, Spider
from scrapy.core.downloader import Downloader, Slot
from scrapy.http import Response
from twisted.internet import defer

from crawler import http_limits
from crawler.http_limits import DEFAULT_MAX_HEADER_BYTES

log = logging.getLogger(__name__)

# The longest Crawl-delay honoured, in seconds; a robots.txt asking more gets this and a sweep warning.
DEFAULT_CRAWL_DELAY_MAX = 60.0
CRAWL_DELAY_CAPPED = "crawl_delay_capped"
# A robots.txt longer than MARKWATCH_ROBOTSTXT_MAXSIZE, read up to it (asked: its bytes; applied: bytes read).
ROBOTS_TRUNCATED = "robots_truncated"
# The ledger reason of a request not sent because its server asked for a rest past RETRY_AFTER_MAX.
HOST_PAUSED = "host_paused"
# The longest rest a Retry-After gets (a cluster keeps it in Redis across sweeps): a server asking 10^29 s
# is honoured for this long, and Redis refuses an expiry past about 10^12 s anyway.
LEAVE_ALONE_MAX = 30 * 24 * 3600.0


@dataclass(frozen=True)
class HostWarning:
    """Something a host asked for that the sweep did not do in full (shown with the sweep)."""

    code: str
    host: str
    asked: float
    applied: float

    def as_dict(self) -> dict[str, Any]:
        """The JSON form kept in the sweep's summary (an infinite amount as "inf": JSON has no such number)."""
        fields = asdict(self)
        return {key: "inf" if _infinite(value) else value for key, value in fields.items()}


def _infinite(value: object) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


class SharedHosts(Protocol):
    """Where a host's spacing is kept when several crawl processes share it (a cluster's Redis)."""

    def paused(self, key: str, seconds: float) -> None:
        """A server asked for no request to host `key` for `seconds` (its Retry-After)."""

    def left_alone(self, key: str, seconds: float) -> None:
        """A server asked for no request to host `key` for `seconds`, longer than a sweep waits."""

    def warned(self, warning: HostWarning) -> None:
        """A host asked for something the sweep does not do in full."""


class HostPolicy:
    """Per download slot: the least spacing its robots.txt asks for, and until when a server paused it."""

    def __init__(
        self, crawl_delay_max: float = DEFAULT_CRAWL_DELAY_MAX, clock: Callable[[], float] = time.time
    ):
        self.crawl_delay_max = crawl_delay_max
        self.clock = clock  # the clock Scrapy's slots use (slot.lastseen)
        self._floors: dict[str, float] = {}
        self._resume_at: dict[str, float] = {}
        self._away_until: dict[str, float] = {}
        self.warnings: list[HostWarning] = []
        self.shared: SharedHosts | None = None

    def share(self, shared: SharedHosts) -> None:
        """Tell `shared` of every pause and warning from now on; requests then wait for its booking, which
        holds the spacing and the pauses of all processes (this process's slots no longer add their own)."""
        self.shared = shared

    @classmethod
    def of(cls, crawler: Any) -> HostPolicy:
        """The policy of this crawl (created on first use from MARKWATCH_CRAWL_DELAY_MAX)."""
        policy: HostPolicy | None = getattr(crawler, "_markwatch_host_policy", None)
        if policy is None:
            cap = crawler.settings.getfloat("MARKWATCH_CRAWL_DELAY_MAX", DEFAULT_CRAWL_DELAY_MAX)
            policy = cls(crawl_delay_max=cap)
            crawler._markwatch_host_policy = policy
        return policy

    def robots_asked(self, key: str, seconds: float | None) -> float:
        """A robots.txt for slot `key` asks for `seconds` between requests; returns the spacing applied."""
        if not seconds or seconds <= 0:  # NaN never gets here: robots_spacing turns it into inf
            return self._floors.get(key, 0.0)
        applied = min(seconds, self.crawl_delay_max)
        if applied < seconds:
            self.warn(HostWarning(CRAWL_DELAY_CAPPED, key, float(seconds), float(applied)))
            log.warning("robots.txt of %s asks for %.0f s between requests: %.0f s applied (the cap, "
                        "MARKWATCH_CRAWL_DELAY_MAX)", key, seconds, applied)  # fmt: skip
        # Several origins (ports) on one host name share a slot: the most any of them asks for holds.
        self._floors[key] = max(self._floors.get(key, 0.0), applied)
        return self._floors[key]

    def warn(self, warning: HostWarning) -> None:
        """Keep `warning` for the sweep (once), and tell the other workers of it when shared."""
        if warning not in self.warnings:
            self.warnings.append(warning)
            if self.shared is not None:
                self.shared.warned(warning)

    def floor(self, key: str) -> float:
        """The least spacing between requests to slot `key` (0 when its robots.txt asks for none)."""
        return self._floors.get(key, 0.0)

    def pause(self, key: str, seconds: float) -> None:
        """No request to slot `key` before `seconds` from now (a server's Retry-After)."""
        if seconds > 0:
            self._resume_at[key] = max(self._resume_at.get(key, 0.0), self.clock() + seconds)
            if self.shared is not None:
                self.shared.paused(key, seconds)

    def resume_at(self, key: str) -> float:
        """When slot `key` may be used again (0 when it was never paused)."""
        return self._resume_at.get(key, 0.0)

    def leave_alone(self, key: str, seconds: float) -> None:
        """A server asked for no request to slot `key` for `seconds`, longer than a sweep waits (its
        Retry-After past RETRY_AFTER_MAX): none goes to it until then (from any worker, when shared), at
        most LEAVE_ALONE_MAX."""
        seconds = min(seconds, LEAVE_ALONE_MAX)
        self._away_until[key] = max(self._away_until.get(key, 0.0), self.clock() + seconds)
        if self.shared is not None:
            self.shared.left_alone(key, seconds)

    def left_alone(self, key: str) -> float:
        """Seconds until slot `key` may be asked again after `leave_alone` (0 when it may be now)."""
        return max(0.0, self._away_until.get(key, 0.0) - self.clock())


def robots_spacing(rules: Any, user_agent: str, text: str | None = None) -> float | None:
    """Seconds between requests a parsed robots.txt (Protego) asks of `user_agent`: its Crawl-delay, or
    its Request-rate as a spacing (1/5 = 5 s), whichever is longer; None when it asks for neither.

    Request-rate is no part of RFC 9309; it comes from the 1996 extended robots.txt draft, where a rate may
    hold only in a time-of-day window (`Request-rate: 1/10s 0600-0845`, UTC) and a group may give several.
    Windows are not evaluated: a sweep runs for hours across them, and a rate kept only inside its window would
    be broken the moment the window opens mid-crawl. The slowest rate any line of our group asks holds all day.
    Protego keeps only a group's last Request-rate line, so with the robots.txt `text` every line is read.
    Visit-time (the draft's hours to crawl in) is not honoured: a sweep runs when it is scheduled.

    A Crawl-delay too large for a number (`inf`, `1e400`) is read from the text as infinite (the caller caps
    it): Protego drops it, and the host got no spacing at all."""
    delay = rules.crawl_delay(user_agent)
    if text is not None and unbounded_crawl_delay(text, user_agent):
        delay = math.inf
    rates = [rules.request_rate(user_agent)]
    if text is not None:
        rates += each_request_rate(text, user_agent)
    spacings = [rate.seconds / rate.requests for rate in rates if rate is not None and rate.requests > 0]
    asked = [float(value) for value in (delay, *spacings) if value]
    return max(asked) if asked else None


_CRAWL_DELAY_VALUE = re.compile(
    r"^([ \t]*crawl[- ]delay[ \t]*:?[ \t]*)([^\s#]+)", re.IGNORECASE | re.MULTILINE
)
# Stand-in for a value Protego drops, finite so that it keeps it; no real robots.txt asks this long.
_UNBOUNDED_MARK = "1e300"


def unbounded_crawl_delay(text: str, user_agent: str) -> bool:
    """Whether the Crawl-delay that holds for `user_agent` in `text` is a number too large to be finite
    (`inf`, `1e400`, NaN read as the same): such lines are given a huge finite value and the text parsed
    again, so Protego's own group matching (and its last-line-wins) decides whether it is ours."""

    def unbounded(value: str) -> bool:
        try:
            number = float(value)
        except ValueError:
            return False  # not a number at all: ignored, as RFC 9309 has a parser ignore what it cannot read
        return math.isnan(number) or number == math.inf  # -inf, like any negative delay, is ignored

    found = False

    def mark(match: re.Match[str]) -> str:
        nonlocal found
        if not unbounded(match.group(2)):
            return match.group(0)
        found = True
        return match.group(1) + _UNBOUNDED_MARK

    marked = _CRAWL_DELAY_VALUE.sub(mark, text)
    if not found:
        return False
    # Without the rules' values, as each_request_rate reads: the groups are all this parse is for.
    return Protego.parse(_RULE_VALUE.sub(r"\1", marked)).crawl_delay(user_agent) == float(_UNBOUNDED_MARK)


_REQUEST_RATE_LINE = re.compile(r"^\s*request[- ]rate\s*:", re.IGNORECASE)
_RULE_VALUE = re.compile(r"^([ \t]*(?:dis)?allow[ \t]*:)[^\r\n]*", re.IGNORECASE | re.MULTILINE)
# Request-rate lines read one by one; a robots.txt with more is read for its first ones (and Protego's last).
MAX_REQUEST_RATE_LINES = 16


def each_request_rate(text: str, user_agent: str) -> list[Any]:
    """The Request-rate each line of `text` gives `user_agent` (Protego's RequestRate; None for a line of
    another group): each line read alone, the other Request-rate lines taken out, so Protego's own group
    matching decides which lines are ours."""
    # Allow/Disallow values left out: each parse would compile every rule again (16 lines beside 500 KiB of
    # rules: 11.4 s, the reactor blocked). The lines stay, empty, since a rule line ends a group.
    lines = _RULE_VALUE.sub(r"\1", text).splitlines()
    rate_lines = [number for number, line in enumerate(lines) if _REQUEST_RATE_LINE.match(line)]
    if len(rate_lines) < 2:
        return []  # none, or the one Protego read already
    others = set(rate_lines)
    rates = []
    for keep in rate_lines[:MAX_REQUEST_RATE_LINES]:
        alone = "\n".join(line for number, line in enumerate(lines) if number == keep or number not in others)
        rates.append(Protego.parse(alone).request_rate(user_agent))
    return rates


class HostSlot(Slot):
    """A download slot that also keeps its host's robots.txt spacing and Retry-After pause."""

    def __init__(self, concurrency: int, delay: float, randomize_delay: bool, key: str, policy: HostPolicy):
        super().__init__(concurrency, delay, randomize_delay)
        self.key = key
        self.policy = policy

    def download_delay(self) -> float:
        if self.policy.shared is not None:
            # The request already waited for its cluster-wide slot, booked with this spacing and after any
            # pause: a second, local spacing from `lastseen` would push it off that slot, and the next
            # worker's request, on time, would then follow it closer than the host asked (measured 0.13 s
            # apart under a 1 s Crawl-delay).
            return super().download_delay()
        if self.policy.left_alone(self.key):
            return 0.0  # its requests are refused, not sent (PoliteDownloader): no need to wait for that
        # Scrapy's downloader waits `delay - now + lastseen` before the next request: the pause term makes
        # that wait end exactly at the pause's end.
        delay = max(super().download_delay(), self.policy.floor(self.key))
        return max(delay, self.policy.resume_at(self.key) - self.lastseen)

    def spaced(self) -> bool:
        """Whether requests here wait for time (a delay, a robots.txt spacing or a pause), not only for a
        free connection."""
        return (
            self.delay > 0
            or self.policy.floor(self.key) > 0
            or self.policy.resume_at(self.key) > self.policy.clock()
        )


def spaced(slot: Slot) -> bool:
    """`HostSlot.spaced` for any Scrapy slot."""
    return slot.spaced() if isinstance(slot, HostSlot) else slot.delay > 0


def host_paused(stats: Any, key: str, away: float, url: str) -> Exception:
    """The refusal (counted) of a request to host `key`, left alone `away` seconds more (a Retry-After)."""
    from crawler.middlewares import SkipRequest  # the middlewares import this module

    stats.inc_value("markwatch/host_paused")
    return SkipRequest(
        HOST_PAUSED, f"{key} asked for no request for {away:.0f} s more (Retry-After): {url}", state="failed"
    )


class PoliteDownloader(Downloader):
    """Scrapy's downloader with HostSlots (DOWNLOADER setting).

    Scrapy is pinned below 2.14, whose downloader is rewritten: `_get_slot` is the one place slots are made,
    and tests/test_crawler_politeness.py proves the spacing end to end."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.policy = HostPolicy.of(crawler)
        self.stats = crawler.stats
        # The one downloader of every crawl: what Twisted reads of an answer is bounded from here on.
        http_limits.install(crawler.settings.getint("MARKWATCH_MAX_HEADER_BYTES", DEFAULT_MAX_HEADER_BYTES))

    def _download(self, slot: Slot, request: Request, spider: Spider) -> defer.Deferred[Response]:
        # Here rather than in a middleware: requests already queued in the slot when the server asked for a
        # long rest are refused too, not sent after the capped pause.
        key = slot.key if isinstance(slot, HostSlot) else self.get_slot_key(request)
        away = self.policy.left_alone(key)
        if away:
            return defer.fail(host_paused(self.stats, key, away, request.url))
        return super()._download(slot, request, spider)

    def _get_slot(self, request: Request, spider: Spider) -> tuple[str, Slot]:
        key = self.get_slot_key(request)
        if key not in self.slots:
            _key, slot = super()._get_slot(request, spider)
            self.slots[key] = HostSlot(slot.concurrency, slot.delay, slot.randomize_delay, key, self.policy)
        return key, self.slots[key]
