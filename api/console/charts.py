"""Server-side charts as inline SVG: no script, no external file, labels escaped like any other text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

# Colour-blind-safe palettes (Okabe-Ito, then Paul Tol's muted set), enough for every rule to have its own.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#882255", "#44AA99", "#999933", "#AA4499", "#332288", "#117733",
)  # fmt: skip
WIDTH, HEIGHT = 1000, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 160, 16, 48


def _nice_max(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _frame(title: str, body: list[str]) -> Markup:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )
    return Markup(svg)


def _axis(top: int) -> list[str]:
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    parts = []
    for tick in (0, top // 2 if top >= 2 else None, top):
        if tick is None:
            continue
        y = MARGIN_TOP + plot_h - plot_h * tick / top
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"'
            ' stroke="#ddd" stroke-width="1"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick}</text>'
        )
    return parts


def stacked_bars(title: str, buckets: Sequence[str], series: Mapping[str, Sequence[int]]) -> Markup:
    """One stacked bar per bucket (e.g. a week), one colour per series (e.g. a rule), with a legend."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(buckets))]
    top = _nice_max(max(totals, default=0))
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(len(buckets), 1)
    bar_w = max(slot * 0.7, 1.0)
    body = _axis(top)
    for i, bucket in enumerate(buckets):
        x = MARGIN_LEFT + i * slot + (slot - bar_w) / 2
        y = float(MARGIN_TOP + plot_h)
        for index, (name, values) in enumerate(series.items()):
            value = int(values[i])
            if value <= 0:
                continue
            h = plot_h * value / top
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}"'
                f' fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(bucket)} {escape(name)}: {value}'
                "</title></rect>"
            )
        body.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" text-anchor="middle"'
            f' font-size="10">{escape(bucket)}</text>'
        )
    for index, name in enumerate(series):
        y = MARGIN_TOP + 4 + index * 18
        body.append(
            f'<rect x="{WIDTH - MARGIN_RIGHT + 12}" y="{y}" width="12" height="12"'
            f' fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text x="{WIDTH - MARGIN_RIGHT + 30}" y="{y + 11}" font-size="11">{escape(name)}</text>'
        )
    return _frame(title, body)


def bars(title: str, labels: Sequence[str], values: Sequence[int]) -> Markup:
    """A plain bar chart, one bar per label, with the value above each bar."""
    top = _nice_max(max(values, default=0))
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.6
    body = _axis(top)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x = MARGIN_LEFT + i * slot + (slot - bar_w) / 2
        y = MARGIN_TOP + plot_h - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {int(value)}</title></rect>"
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11">{int(value)}</text>'
            f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" text-anchor="middle"'
            f' font-size="11">{escape(label)}</text>'
        )
    return _frame(title, body)
