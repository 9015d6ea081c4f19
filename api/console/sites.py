"""Names inspectors know sites by: the marketplace behind a host (detail.tmall.com is 天猫)."""

from __future__ import annotations

# Registrable domain -> (Chinese name, English name). Data, not logic: extend as sweeps reach new sites.
SITE_NAMES: dict[str, tuple[str, str]] = {
    "tmall.com": ("天猫", "Tmall"),
    "tmall.hk": ("天猫国际", "Tmall Global"),
    "taobao.com": ("淘宝", "Taobao"),
    "jd.com": ("京东", "JD.com"),
    "jd.hk": ("京东国际", "JD Worldwide"),
    "1688.com": ("1688", "1688"),
    "alibaba.com": ("阿里巴巴", "Alibaba"),
    "suning.com": ("苏宁易购", "Suning"),
    "pinduoduo.com": ("拼多多", "Pinduoduo"),
    "yangkeduo.com": ("拼多多", "Pinduoduo"),
    "dangdang.com": ("当当", "Dangdang"),
    "vip.com": ("唯品会", "Vipshop"),
    "douyin.com": ("抖音", "Douyin"),
    "kuaishou.com": ("快手", "Kuaishou"),
    "xiaohongshu.com": ("小红书", "Xiaohongshu"),
}


def site_name(host: str | None, lang: str) -> str | None:
    """The known name of the site `host` belongs to, or None."""
    if not host:
        return None
    labels = host.lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):
        names = SITE_NAMES.get(".".join(labels[start:]))
        if names:
            return names[0] if lang == "zh" else names[1]
    return None
