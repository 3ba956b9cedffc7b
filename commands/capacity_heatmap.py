"""The capacity heat map: people by weeks, each week coloured by how loaded they are.

A pure function of plain data (workflows/load_heatmap.py) drawn with matplotlib's Agg
canvas, always the same size: the most loaded people at the top, each cell's load in
per cent, a legend of the bands and a note of the people left out. The alt text says
the same in words.
"""

from __future__ import annotations

import io
from typing import Any

# One lock for every picture: matplotlib's font cache is shared by all figures.
from commands.digest_chart import ALT_TEXT_MAX, DRAWING, PNG
from commands.upload import Upload
from workflows import wording
from workflows.load_heatmap import Band, HeatCell, HeatMap, HeatRow

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8, 10, 150  # 1200 by 1500 pixels
COLOURS = {
    Band.FREE: "#D4E6F5",
    Band.OK: "#2EB67D",
    Band.FULL: "#ECB22E",
    Band.OVER: "#E01E5A",
    Band.LEAVE: "#9E9E9E",
}
# Dark text on the pale bands, white on the strong ones.
TEXT_COLOURS = {Band.FREE: "#1D1C1D", Band.FULL: "#1D1C1D"}
NAME_MAX = 24
# A few people still get rows of a readable height, at the top.
ROWS_MIN = 16
NAMED_IN_ALT = 5
GRID = {"color": "white", "linewidth": 1}


def title(heat: HeatMap) -> str:
    """What the picture is called, in Slack and on the picture."""
    whose = f"People with {heat.skill}" if heat.skill else "Team load"
    return f"{whose}, next {wording.count(len(heat.weeks), 'week')}"


def legend(heat: HeatMap) -> dict[Band, str]:
    """Each band in words, with the threshold the map was drawn with."""
    return {
        Band.FREE: "under 50 %",
        Band.OK: "50–89 %",
        Band.FULL: f"90–{100 + heat.threshold} %",
        Band.OVER: f"over {100 + heat.threshold} %",
        Band.LEAVE: "on leave",
    }


def heatmap_png(heat: HeatMap) -> bytes:
    """The map as a PNG of WIDTH_INCHES by HEIGHT_INCHES at DPI (always the same size)."""
    # matplotlib takes about a second to import: only the processes that draw pay for it.
    import numpy
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgb
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rows = heat.rows
    with DRAWING:
        figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        figure.subplots_adjust(left=0.22, right=0.98, top=0.93, bottom=0.1)
        if rows:
            colours = [[to_rgb(COLOURS[cell.band]) for cell in row.cells] for row in rows]
            axes.imshow(numpy.array(colours), aspect="auto", interpolation="nearest")
            axes.set_ylim(max(len(rows), ROWS_MIN) - 0.5, -0.5)
            size = 7 if len(rows) <= 20 else 5.5
            axes.add_collection(_cell_labels(axes, rows, size), autolim=False)
            names = [_plain(_cut(row.name)) for row in rows]
            axes.set_yticks(range(len(rows)), names, fontsize=size)
            # White lines between the cells: two collections, not a tick and its grid line
            # per row and week (ticks are costly to make and draw).
            ends = (-0.5, max(len(rows), ROWS_MIN) - 0.5)
            axes.vlines([x - 0.5 for x in range(1, len(heat.weeks))], *ends, **GRID)
            axes.hlines([y - 0.5 for y in range(1, len(rows))], -0.5, len(heat.weeks) - 0.5, **GRID)
        else:
            axes.set_xlim(-0.5, len(heat.weeks) - 0.5)
            axes.set_yticks([])
            axes.text(
                (len(heat.weeks) - 1) / 2,
                0.5,
                "Nobody to show",
                ha="center",
                va="center",
                fontsize=12,
                color="#616061",
            )
        labels = [f"{week.day} {week:%b}" for week in heat.weeks]
        axes.set_xticks(range(len(heat.weeks)), labels, fontsize=8)
        axes.xaxis.tick_top()
        axes.tick_params(axis="both", which="major", length=0)
        axes.spines[:].set_visible(False)
        words = legend(heat)
        figure.legend(
            handles=[Patch(color=COLOURS[band], label=words[band]) for band in Band],
            loc="lower center",
            ncol=len(Band),
            frameon=False,
            fontsize=8,
            bbox_to_anchor=(0.5, 0.04),
        )
        figure.text(0.5, 0.015, _note(heat), ha="center", fontsize=8, color="#616061")
        figure.suptitle(_plain(title(heat)), fontsize=12)
        png = io.BytesIO()
        # No "Software" stamp: the same data always gives the same bytes. The quickest
        # compression: the same pixels, a fifth more bytes, a third less time to encode.
        figure.savefig(png, format="png", dpi=DPI, metadata={"Software": None}, pil_kwargs=PNG)
    return png.getvalue()


def _cell_labels(axes: Any, rows: tuple[HeatRow, ...], size: float) -> Any:
    # Each cell's number as a shape in one collection, not a text artist per cell: five
    # hundred texts took half a second to lay out and draw, the same every digest. Each
    # distinct label is shaped once, centred on its cell, at `size` points.
    from matplotlib.collections import PathCollection
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    font = FontProperties(size=size)
    # Every label on the digits' baseline, the digits' middle on the cell's middle.
    digit = TextPath((0, 0), "0", prop=font).get_extents()
    middle = (digit.y0 + digit.y1) / 2
    shapes: dict[str, Any] = {}
    paths, offsets, colours = [], [], []
    for y, row in enumerate(rows):
        for x, cell in enumerate(row.cells):
            label = _cell_text(cell)
            shape = shapes.get(label)
            if shape is None:
                outline = TextPath((0, 0), label, prop=font)
                box = outline.get_extents()
                centre = Affine2D().translate(-(box.x0 + box.x1) / 2, -middle)
                shape = shapes[label] = outline.transformed(centre)
            paths.append(shape)
            offsets.append((x, y))
            colours.append(TEXT_COLOURS.get(cell.band, "white"))
    labels = PathCollection(
        paths,
        offsets=offsets,
        offset_transform=axes.transData,
        facecolors=colours,
        edgecolors="none",
        linewidths=0,
    )
    labels.set_transform(Affine2D().scale(axes.figure.dpi / 72))  # points to pixels
    return labels


def alt_text(heat: HeatMap) -> str:
    """The map in words, from the same data: who is over, who is free, who is away."""
    if not heat.weeks:
        return "No weeks to show."
    first, last = heat.weeks[0], heat.weeks[-1]
    span = f"{wording.day(first)} to {wording.day(last)}"
    if not heat.rows:
        return f"{title(heat)} ({span}): nobody to show."
    over = [row for row in heat.rows if any(c.band is Band.OVER for c in row.cells)]
    free = [row for row in heat.rows if all(c.band in (Band.FREE, Band.LEAVE) for c in row.cells)]
    away = [row for row in heat.rows if any(c.band is Band.LEAVE for c in row.cells)]
    parts = [
        f"{len(over)} over {100 + heat.threshold} % in some week{_named(over)}",
        f"{len(free)} under 50 % every week{_named(free)}",
        f"{len(away)} on leave some week",
    ]
    shown = _people(len(heat.rows)) if not heat.more else _note(heat)
    words = f"{title(heat)} ({span}), {shown}, most loaded first: " + "; ".join(parts) + "."
    return words[:ALT_TEXT_MAX]


def heatmap_upload(heat: HeatMap) -> Upload:
    """The map as the file to share (its builder in commands/rendering.py)."""
    day = heat.weeks[0].isoformat() if heat.weeks else "empty"
    return Upload(
        filename=f"capacity-heatmap-{day}.png",
        data=heatmap_png(heat),
        alt_text=alt_text(heat),
        title=title(heat),
    )


def _cell_text(cell: HeatCell) -> str:
    if cell.percent is None:
        return "away" if cell.band is Band.LEAVE else "!"
    return f"{cell.percent}"


def _note(heat: HeatMap) -> str:
    if not heat.more:
        return f"{_people(heat.people)}; load in % of capacity"
    return f"the {len(heat.rows)} most loaded of {_people(heat.people)} (and {heat.more:,} more)"


def _people(people: int) -> str:
    return wording.count(people, "person")


def _named(rows: list[HeatRow]) -> str:
    if not rows:
        return ""
    names = ", ".join(_cut(row.name) for row in rows[:NAMED_IN_ALT])
    more = f" and {len(rows) - NAMED_IN_ALT} more" if len(rows) > NAMED_IN_ALT else ""
    return f" ({names}{more})"


def _cut(name: str) -> str:
    return name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…"


def _plain(text: str) -> str:
    # Names are people's own: a "$" must not start matplotlib's maths.
    return text.replace("$", r"\$")
