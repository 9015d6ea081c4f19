"""Which zones Chinese readers call 北京时间 (China Standard Time, UTC+8 all year)."""

from __future__ import annotations

BEIJING_TIME_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi", "PRC"})
