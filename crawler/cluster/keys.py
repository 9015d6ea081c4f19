"""Redis key names of one distributed sweep: all under markwatch:sweep:{<id>}:, so they can be removed."""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "markwatch:sweep"
# Per host, across every sweep: politeness is owed to the site, not to one sweep.
POLITENESS_PREFIX = "markwatch:polite"


@dataclass(frozen=True)
class SweepKeys:
    """The keys of sweep `sweep_id`."""

    sweep_id: int

    def _key(self, name: str) -> str:
        # {id} is a Redis Cluster hash tag: the scripts that touch several keys find them on one node.
        return f"{PREFIX}:{{{self.sweep_id}}}:{name}"

    @property
    def requests(self) -> str:
        """scrapy-redis priority queue: the shared frontier."""
        return self._key("requests")

    @property
    def dupefilter(self) -> str:
        """scrapy-redis fingerprints; one set per sweep, so the next sweep fetches everything again."""
        return self._key("dupefilter")

    @property
    def target(self) -> str:
        """The target's settings as JSON, so workers need no targets file."""
        return self._key("target")

    @property
    def workers(self) -> str:
        """Hash worker id → last heartbeat (Redis server time, seconds)."""
        return self._key("workers")

    @property
    def idle(self) -> str:
        """Hash worker id → since when it has had nothing to do."""
        return self._key("idle")

    @property
    def pages(self) -> str:
        """Pages taken against the target's max_pages, over all workers."""
        return self._key("pages")

    def all(self) -> tuple[str, ...]:
        """Every key of the sweep."""
        return (self.requests, self.dupefilter, self.target, self.workers, self.idle, self.pages)


def politeness_key(host: str) -> str:
    """When the next request to `host` may go out, cluster-wide."""
    return f"{POLITENESS_PREFIX}:{host}"
