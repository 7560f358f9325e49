"""Small inline SVG charts for the portfolio report, drawn by hand (no JavaScript, no
external assets). Every label is escaped; each chart is an ``<svg>`` with an id, a
``<title>`` and one ``<rect class="bar">`` per drawn value, so tests can check it drew."""

from __future__ import annotations

from markupsafe import Markup, escape

SEVERITY_COLOURS = {"high": "#d1242f", "medium": "#e8890c", "low": "#c9a400", "info": "#3b82f6"}
SEVERITIES = ("high", "medium", "low", "info")


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def score_histogram_svg(scores: list[int], *, chart_id: str = "chart-risk-distribution", bins: int = 10) -> Markup:
    """Contracts per risk-score band (0-9, 10-19, ..., 90-100)."""
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, max(0, int(score)) * bins // 100)] += 1
    width, height, left, bottom, top = 560, 240, 40, 36, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(counts) or 1
    bar_w = plot_w / bins
    parts = [f'<svg id="{chart_id}" class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="Risk score distribution" xmlns="http://www.w3.org/2000/svg">',
             "<title>Risk score distribution</title>",
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#888"/>']
    for i, count in enumerate(counts):
        x = left + i * bar_w + 2
        h = plot_h * count / peak
        y = top + plot_h - h
        colour = "#2da44e" if i < 4 else ("#e8890c" if i < 7 else "#d1242f")
        low, high = i * 100 // bins, (i + 1) * 100 // bins - 1 if i < bins - 1 else 100
        parts.append(f'<rect class="bar" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_w - 4)}" height="{_fmt(h)}" '
                     f'fill="{colour}" data-count="{count}"><title>{low}-{high}: {count} contract(s)</title></rect>')
        if count:
            parts.append(f'<text x="{_fmt(x + (bar_w - 4) / 2)}" y="{_fmt(y - 3)}" font-size="11" '
                         f'text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{_fmt(x + (bar_w - 4) / 2)}" y="{top + plot_h + 14}" font-size="10" '
                     f'text-anchor="middle">{low}-{high}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 4}" font-size="11" text-anchor="middle">risk score</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def severity_by_category_svg(counts: dict[str, dict[str, int]], *, chart_id: str = "chart-findings-by-category",
                             limit: int = 20) -> Markup:
    """Horizontal stacked bars: findings per category, split by severity (the ``limit``
    categories with most findings)."""
    rows = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:limit]
    label_w, bar_area, row_h, top = 250, 330, 20, 26
    width, height = label_w + bar_area + 50, top + row_h * max(1, len(rows)) + 10
    peak = max((sum(c.values()) for _, c in rows), default=1) or 1
    parts = [f'<svg id="{chart_id}" class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="Findings by category and severity" xmlns="http://www.w3.org/2000/svg">',
             "<title>Findings by category and severity</title>"]
    for i, severity in enumerate(SEVERITIES):
        parts.append(f'<rect x="{label_w + i * 80}" y="4" width="10" height="10" fill="{SEVERITY_COLOURS[severity]}"/>'
                     f'<text x="{label_w + i * 80 + 14}" y="13" font-size="11">{severity}</text>')
    for row, (category, by_severity) in enumerate(rows):
        y = top + row * row_h
        label = category if len(category) <= 40 else category[:39] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end">{escape(label)}'
                     f"<title>{escape(category)}</title></text>")
        x = float(label_w)
        for severity in SEVERITIES:
            n = by_severity.get(severity, 0)
            if not n:
                continue
            w = bar_area * n / peak
            parts.append(f'<rect class="bar" x="{_fmt(x)}" y="{y + 2}" width="{_fmt(w)}" height="{row_h - 5}" '
                         f'fill="{SEVERITY_COLOURS[severity]}" data-count="{n}">'
                         f"<title>{escape(category)}: {n} {severity}</title></rect>")
            x += w
        parts.append(f'<text x="{_fmt(x + 4)}" y="{y + 13}" font-size="11">{sum(by_severity.values())}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def riskiest_contracts_svg(items: list[tuple[str, int, str]], *, chart_id: str = "chart-riskiest") -> Markup:
    """Horizontal bars of the riskiest contracts: ``(name, score, href)``, each bar a link."""
    label_w, bar_area, row_h, top = 330, 260, 20, 6
    width, height = label_w + bar_area + 40, top + row_h * max(1, len(items)) + 6
    parts = [f'<svg id="{chart_id}" class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="Riskiest contracts" xmlns="http://www.w3.org/2000/svg">',
             "<title>Riskiest contracts</title>"]
    for row, (name, score, href) in enumerate(items):
        y = top + row * row_h
        short = name if len(name) <= 48 else name[:46] + "…"
        w = bar_area * max(0, min(100, score)) / 100
        colour = "#d1242f" if score >= 70 else ("#e8890c" if score >= 40 else "#2da44e")
        parts.append(f'<a href="{escape(href)}"><text x="{label_w - 6}" y="{y + 13}" font-size="11" '
                     f'text-anchor="end">{escape(short)}</text>'
                     f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{_fmt(w)}" height="{row_h - 5}" '
                     f'fill="{colour}" data-count="{score}"><title>{escape(name)}: {score}</title></rect></a>'
                     f'<text x="{_fmt(label_w + w + 4)}" y="{y + 13}" font-size="11">{score}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
