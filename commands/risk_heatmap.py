"""The risk heat map: open risks and issues on a 5 × 5 grid of probability by impact.

A pure function of plain data (workflows/risk_views.py) drawn with matplotlib's Agg
canvas, always the same size: each cell coloured by the workspace's band for its score
and showing how many entries sit there. The alt text says the same in words.
"""  # noqa: RUF002

from __future__ import annotations

import io

# One lock for every picture: matplotlib's font cache is shared by all figures.
from commands.digest_chart import ALT_TEXT_MAX, DRAWING
from commands.upload import Upload
from workflows import wording
from workflows.risk_views import SCALE, RiskHeatMap
from workflows.risks import IMPACT, PROBABILITY, Severity

SIZE_INCHES, DPI = 6, 150  # 900 by 900 pixels
COLOURS = {
    Severity.LOW: "#2EB67D",
    Severity.MEDIUM: "#ECB22E",
    Severity.HIGH: "#E8912D",
    Severity.CRITICAL: "#E01E5A",
}
# Dark text on the pale bands, white on the strong ones.
TEXT_COLOURS = {Severity.MEDIUM: "#1D1C1D"}


def title(heat: RiskHeatMap) -> str:
    """What the picture is called, in Slack and on the picture."""
    return f"{heat.scope}: open risks and issues"


def heatmap_png(heat: RiskHeatMap) -> bytes:
    """The map as a PNG of SIZE_INCHES square at DPI (always the same size): probability
    up the side (5 at the top), impact along the bottom."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgb
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    with DRAWING:
        figure = Figure(figsize=(SIZE_INCHES, SIZE_INCHES), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        figure.subplots_adjust(left=0.22, right=0.97, top=0.9, bottom=0.2)
        rows = list(reversed(SCALE))  # probability 5 on the top row
        colours = [[to_rgb(COLOURS[heat.bands[p - 1][i - 1]]) for i in SCALE] for p in rows]
        axes.imshow(colours, aspect="equal", interpolation="nearest")
        for y, p in enumerate(rows):
            for x, i in enumerate(SCALE):
                count = heat.count(p, i)
                axes.text(
                    x,
                    y,
                    str(count) if count else "·",
                    ha="center",
                    va="center",
                    fontsize=14 if count else 10,
                    fontweight="bold",
                    color=TEXT_COLOURS.get(heat.bands[p - 1][i - 1], "white"),
                )
        axes.set_xticks(range(5), [f"{i}\n{IMPACT[i]}" for i in SCALE], fontsize=7)
        axes.set_yticks(range(5), [f"{PROBABILITY[p]} {p}" for p in rows], fontsize=7)
        axes.set_xlabel("Impact", fontsize=9)
        axes.set_ylabel("Probability", fontsize=9)
        axes.set_xticks([x - 0.5 for x in range(1, 5)], minor=True)
        axes.set_yticks([y - 0.5 for y in range(1, 5)], minor=True)
        axes.grid(which="minor", color="white", linewidth=2)
        axes.tick_params(which="both", length=0)
        axes.spines[:].set_visible(False)
        figure.legend(
            handles=[Patch(color=COLOURS[band], label=band.value) for band in Severity],
            loc="lower center",
            ncol=len(Severity),
            frameon=False,
            fontsize=8,
            bbox_to_anchor=(0.5, 0.01),
        )
        figure.suptitle(_plain(f"{title(heat)} ({heat.total:,})"), fontsize=12)
        png = io.BytesIO()
        # No "Software" stamp: the same data always gives the same bytes.
        figure.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
    return png.getvalue()


def alt_text(heat: RiskHeatMap) -> str:
    """The map in words, from the same data: how many entries in each band."""
    if not heat.total:
        return f"{title(heat)} on {wording.day(heat.day)}: none."
    per_band = dict.fromkeys(Severity, 0)
    for p in SCALE:
        for i in SCALE:
            per_band[heat.bands[p - 1][i - 1]] += heat.count(p, i)
    parts = [f"{count} {band.value}" for band, count in reversed(per_band.items()) if count]
    words = (
        f"{title(heat)} on {wording.day(heat.day)}, {heat.total} by probability and impact: "
        + ", ".join(parts)
        + "."
    )
    return words[:ALT_TEXT_MAX]


def heatmap_upload(heat: RiskHeatMap) -> Upload:
    """The map as the file to share (its builder in commands/rendering.py)."""
    return Upload(
        filename=f"risk-heatmap-{heat.scope.lower()}-{heat.day.isoformat()}.png",
        data=heatmap_png(heat),
        alt_text=alt_text(heat),
        title=title(heat),
    )


def _plain(text: str) -> str:
    # A "$" must not start matplotlib's maths.
    return text.replace("$", r"\$")
