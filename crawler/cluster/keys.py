"""Redis key names of one distributed sweep: all under markwatch:sweep:{<id>}:, so they can be removed."""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "markwatch:sweep"
# Per host, across every sweep: politeness is owed to the site, not to one sweep.
POLITENESS_PREFIX = "markwatch:polite"
# Per host, across every sweep: until when a server asked for no request (its Retry-After).
PAUSE_PREFIX = "markwatch:paused"
# Per host, across every sweep: until when a host is left alone (a Retry-After longer than a sweep waits).
AWAY_PREFIX = "markwatch:away"
# The consumer group every worker of a sweep reads its streams in.
GROUP = "workers"


@dataclass(frozen=True)
class SweepKeys:
    """The keys of sweep `sweep_id`."""

    sweep_id: int

    @property
    def prefix(self) -> str:
        """Common prefix; {id} is a Redis Cluster hash tag, so a script's keys sit on one node."""
        return f"{PREFIX}:{{{self.sweep_id}}}:"

    def stream(self, priority: int | str) -> str:
        """The request stream of one Scrapy priority (higher priorities are read first)."""
        return f"{self.prefix}q:{priority}"

    @property
    def priorities(self) -> str:
        """Sorted set of the priorities that have a stream (score: minus the priority)."""
        return self.prefix + "prios"

    @property
    def seen(self) -> str:
        """Canonical URLs the sweep knows of: the shared dupe filter."""
        return self.prefix + "seen"

    @property
    def accepted(self) -> str:
        """URLs accepted onto the frontier, against the target's max_pages."""
        return self.prefix + "accepted"

    @property
    def epoch(self) -> str:
        """Present while this Redis holds the sweep's frontier; gone after a restart that lost the data."""
        return self.prefix + "epoch"

    @property
    def workers(self) -> str:
        """Hash worker id -> last heartbeat (Redis server time, seconds)."""
        return self.prefix + "workers"

    @property
    def warnings(self) -> str:
        """Hash "code host" -> JSON: what hosts asked of any worker that the sweep did not do in full."""
        return self.prefix + "warnings"

    def lock(self, name: str) -> str:
        """A short lock (rebuild, reconcile) so one worker does it while the others wait."""
        return f"{self.prefix}lock:{name}"

    def fixed(self) -> tuple[str, ...]:
        """The keys whose names do not depend on the priorities in use."""
        return (
            self.priorities, self.seen, self.accepted, self.epoch, self.workers, self.warnings,
            self.lock("rebuild"), self.lock("reconcile"),
        )  # fmt: skip


def politeness_key(host: str) -> str:
    """When the next request to `host` may go out, cluster-wide."""
    return f"{POLITENESS_PREFIX}:{host}"


def pause_key(host: str) -> str:
    """Until when (Redis server time, ms) no request may go to `host`, cluster-wide."""
    return f"{PAUSE_PREFIX}:{host}"


def away_key(host: str) -> str:
    """Until when (Redis server time, ms) `host` is left alone: its requests fail host_paused, unsent."""
    return f"{AWAY_PREFIX}:{host}"
