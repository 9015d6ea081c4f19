"""Redis connections for the cluster: short timeouts and no hidden retries (outages are handled above)."""

from __future__ import annotations

from typing import Any

from markwatch.errors import ExecutionError

SOCKET_TIMEOUT = 2.0


def client(redis_url: str) -> Any:
    """A client that fails within seconds when Redis is down, instead of blocking the crawl."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        redis_url,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=SOCKET_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )


def connect(redis_url: str) -> Any:
    """A client, after checking the server answers."""
    import redis

    try:
        conn = client(redis_url)
        conn.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ExecutionError(f"cannot reach Redis at {safe_url(redis_url)}: {exc}") from exc
    return conn


def safe_url(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    _userinfo, sep, tail = url.rpartition("@")
    return f"{url.split('//', 1)[0]}//***@{tail}" if sep else url


def redis_errors() -> tuple[type[BaseException], ...]:
    """Exceptions meaning "Redis did not answer" (connection refused, timeout, server loading)."""
    import redis

    return (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, ConnectionError, OSError)
