"""The digest's chart: the portfolio's health over 13 weeks, as a PNG leaders look at.

Stacked bars count the projects by RAG at each week's end; a line on a second axis is the
share of due updates posted on time. A pure function of plain data (workflows/
health_trend.py), drawn with matplotlib's Agg canvas: no display, no pyplot state.
"""

from __future__ import annotations

import io
import math
import threading

from commands.upload import Upload
from storage.models import Rag
from workflows.health_trend import STANDINGS, HealthTrend
from workflows.wording import count

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8, 4.5, 150  # 1200 by 675 pixels
ALT_TEXT_MAX = 1000  # Slack's limit for a file's alt text
COLOURS = {
    Rag.GREEN.value: "#2EB67D",
    Rag.AMBER.value: "#ECB22E",
    Rag.RED.value: "#E01E5A",
    Rag.HOLD.value: "#7A7A7A",
    "none": "#CFCFCF",
}
NAMES = {
    Rag.GREEN.value: "green",
    Rag.AMBER.value: "amber",
    Rag.RED.value: "red",
    Rag.HOLD.value: "on hold",
    "none": "no update",
}
LEGEND = {rag.value: rag.label for rag in Rag} | {"none": "No update yet"}
LINE_COLOUR = "#1264A3"
# matplotlib's font cache and text layout are shared by every figure: one drawing at a time.
DRAWING = threading.Lock()
# How the pictures are written: zlib's quickest level (lossless like any other).
PNG = {"compress_level": 1}


def title(trend: HealthTrend) -> str:
    """What the chart is called, in Slack and on the picture."""
    return f"Portfolio health, last {count(len(trend.weeks), 'week')}"


def health_chart(trend: HealthTrend) -> bytes:
    """The trend as a PNG of WIDTH_INCHES by HEIGHT_INCHES at DPI (always the same size)."""
    # matplotlib takes about a second to import: only the processes that draw pay for it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    weeks = trend.weeks
    positions = list(range(len(weeks)))
    with DRAWING:
        figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
        FigureCanvasAgg(figure)
        bars = figure.add_subplot()
        figure.subplots_adjust(left=0.07, right=0.9, top=0.9, bottom=0.2)
        bottom = [0] * len(weeks)
        for standing in STANDINGS:
            heights = [week.counts.get(standing, 0) for week in weeks]
            if not any(heights):
                continue  # no bar, no legend entry
            bars.bar(
                positions,
                heights,
                bottom=bottom,
                width=0.7,
                color=COLOURS[standing],
                label=LEGEND[standing],
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        bars.set_xticks(positions, [week.label for week in weeks], fontsize=8)
        bars.set_xlabel("week starting", fontsize=8)
        bars.set_ylabel("projects")
        # Headroom above the tallest bar keeps the line's 100 % clear of the bars.
        bars.set_ylim(0, max([*bottom, 1]) * 1.15)
        bars.yaxis.set_major_locator(MaxNLocator(integer=True))
        bars.spines[["top"]].set_visible(False)
        rate = bars.twinx()
        rate.plot(
            positions,
            [math.nan if rate is None else rate for rate in _rates(trend)],
            color=LINE_COLOUR,
            marker="o",
            linewidth=2,
            label="Updates on time",
        )
        rate.set_ylim(0, 108)
        rate.set_yticks(range(0, 101, 20))
        rate.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f} %"))
        rate.set_ylabel("updates on time")
        rate.spines[["top"]].set_visible(False)
        handles, labels = bars.get_legend_handles_labels()
        line_handles, line_labels = rate.get_legend_handles_labels()
        figure.legend(
            handles + line_handles,
            labels + line_labels,
            loc="lower center",
            ncol=6,
            frameon=False,
            fontsize=8,
        )
        figure.suptitle(title(trend), fontsize=12)
        png = io.BytesIO()
        # No "Software" stamp: the same data always gives the same bytes. The quickest
        # compression: the same pixels, a fifth more bytes, a third less time to encode.
        figure.savefig(png, format="png", dpi=DPI, metadata={"Software": None}, pil_kwargs=PNG)
    return png.getvalue()


def alt_text(trend: HealthTrend) -> str:
    """The chart in words, from the same data: "... (31 Aug to 23 Nov): green 8→10, ..."."""
    weeks = trend.weeks
    if not weeks:
        return "No weeks to show."
    first, last = weeks[0], weeks[-1]
    moves = [
        f"{NAMES[standing]} {first.counts.get(standing, 0)}→{last.counts.get(standing, 0)}"
        for standing in STANDINGS
        if any(week.counts.get(standing, 0) for week in weeks)
    ]
    rates = [rate for rate in _rates(trend) if rate is not None]
    on_time = f"on time {rates[0]} %→{rates[-1]} %" if rates else "no update was due"
    counted = ", ".join(moves) or "no projects"
    words = (
        f"{title(trend)} ({first.label} to {last.label}), projects by status at each week's "
        f"end: {counted}; {on_time}."
    )
    return words[:ALT_TEXT_MAX]


def _rates(trend: HealthTrend) -> list[int | None]:
    # Each week's percent of due updates posted on time (None: nothing was due).
    return [week.participation.percent for week in trend.weeks]


def chart_upload(trend: HealthTrend) -> Upload:
    """The chart as the file to share in the digest's thread (its builder in
    commands/rendering.py)."""
    day = trend.weeks[-1].end.date().isoformat() if trend.weeks else "empty"
    return Upload(
        filename=f"portfolio-health-{day}.png",
        data=health_chart(trend),
        alt_text=alt_text(trend),
        title=title(trend),
    )
