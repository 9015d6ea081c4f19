"""The shared frontier stores requests as JSON: a round trip keeps them whole, a pickle is refused unrun."""

from __future__ import annotations

import os
import pickle

import pytest
import scrapy
from scrapy.utils.request import request_from_dict

from crawler.frontier import serializer


class _Spider(scrapy.Spider):
    name = "frontier-test"

    def parse_item(self, response: object) -> None:
        return None

    def on_error(self, failure: object) -> None:
        return None


def test_request_round_trip_keeps_bytes_headers_meta_and_callbacks() -> None:
    spider = _Spider()
    request = scrapy.Request(
        "http://127.0.0.1:8000/item/1.html?q=上海标准",
        method="POST",
        body="执行标准".encode("gb18030") + b"\x00\xff",
        headers={"Accept-Language": "zh-CN", "X-Raw": b"\xe4\xb8\x8a"},
        callback=spider.parse_item,
        errback=spider.on_error,
        meta={"depth": 2, "dont_obey_robotstxt": False, "__bytes__": "a key that looks like our tag"},
        cb_kwargs={"kind": "item"},
        priority=-3,
    )
    data = serializer.dumps(request.to_dict(spider=spider))
    assert b"\x80\x04" not in data and data.startswith(b"{")
    back = request_from_dict(serializer.loads(data), spider=spider)
    assert (back.url, back.method, back.body, back.priority) == (
        request.url,
        request.method,
        request.body,
        request.priority,
    )
    assert back.headers.getlist("X-Raw") == [b"\xe4\xb8\x8a"]
    assert back.meta == request.meta and back.cb_kwargs == {"kind": "item"}
    assert back.callback == spider.parse_item and back.errback == spider.on_error


def test_unserialisable_meta_is_refused_when_queued() -> None:
    spider = _Spider()
    request = scrapy.Request("http://127.0.0.1/", meta={"when": object()})
    with pytest.raises(TypeError, match="cannot queue"):
        serializer.dumps(request.to_dict(spider=spider))


class _Exploit:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch /tmp/markwatch-frontier-pwned",))


def test_a_pickle_planted_in_redis_is_refused_and_never_run(tmp_path: object) -> None:
    planted = pickle.dumps({"url": "http://127.0.0.1/", "x": _Exploit()})
    with pytest.raises(ValueError, match="not a markwatch frontier entry"):
        serializer.loads(planted)
    assert not os.path.exists("/tmp/markwatch-frontier-pwned")
    with pytest.raises(ValueError):
        serializer.loads(b"[1, 2]")
