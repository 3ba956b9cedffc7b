"""The digest's chart from plain data: a real PNG of a fixed size, not blank, described in
words from the same data."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta

import numpy
from matplotlib.image import imread

from commands.digest_chart import (
    COLOURS,
    DPI,
    HEIGHT_INCHES,
    WIDTH_INCHES,
    alt_text,
    chart_upload,
    health_chart,
)
from commands.rendering import render
from commands.templates import Templates
from commands.upload import Upload
from workflows.health_trend import HealthTrend, TrendWeek
from workflows.participation import Participation

END = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def trend(counts_by_week, rates):
    weeks = []
    for number, (counts, (on_time, due)) in enumerate(zip(counts_by_week, rates, strict=True)):
        end = END - timedelta(weeks=len(counts_by_week) - 1 - number)
        start = end - timedelta(weeks=1)
        full = {"green": 0, "amber": 0, "red": 0, "hold": 0, "none": 0} | counts
        weeks.append(
            TrendWeek(
                label=f"{start.day} {start:%b}",
                start=start,
                end=end,
                counts=full,
                participation=Participation(label="", on_time=on_time, due=due),
            )
        )
    return HealthTrend(team_id="T1", weeks=weeks)


def improving():
    counts = [
        {"green": 8 + n // 6, "amber": 3, "red": 1 if n < 10 else 0, "none": 1 if n < 3 else 0}
        for n in range(13)
    ]
    rates = [(3, 4)] + [(6 + n % 3, 8) for n in range(11)] + [(4, 5)]
    return trend(counts, rates)


def png_size(png):
    # The IHDR chunk follows the signature: length, "IHDR", width, height.
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def pixels(png):
    return imread(io.BytesIO(png), format="png")


def share_of_colour(image, hex_colour):
    wanted = numpy.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    close = numpy.all(numpy.abs(image[:, :, :3] - wanted) < 0.02, axis=2)
    return close.mean()


def test_the_chart_is_a_png_of_the_fixed_size():
    png = health_chart(improving())
    assert png_size(png) == (WIDTH_INCHES * DPI, HEIGHT_INCHES * DPI) == (1200, 675)


def test_the_chart_is_not_blank_and_draws_each_rag_in_its_colour():
    image = pixels(health_chart(improving()))
    distinct = numpy.unique(image.reshape(-1, image.shape[2]), axis=0)
    assert len(distinct) > 50
    for standing in ("green", "amber", "red", "none"):
        assert share_of_colour(image, COLOURS[standing]) > 0.005, standing
    assert share_of_colour(image, COLOURS["green"]) > share_of_colour(image, COLOURS["red"])
    # No project was on hold: no grey bars (grey text and edges are a few pixels).
    assert share_of_colour(image, COLOURS["hold"]) < 0.001


def test_the_same_data_gives_the_same_bytes():
    assert health_chart(improving()) == health_chart(improving())


def test_an_empty_portfolio_still_gives_a_chart_of_the_same_size():
    empty = trend([{}] * 13, [(0, 0)] * 13)
    assert png_size(health_chart(empty)) == (1200, 675)
    assert alt_text(empty).endswith("no projects; no update was due.")


def test_the_alt_text_says_what_the_chart_shows_from_the_same_data():
    words = alt_text(improving())
    assert words == (
        "Portfolio health, last 13 weeks (31 Aug to 23 Nov), projects by status at each "
        "week's end: green 8→10, amber 3→3, red 1→0, no update 1→0; on time 75 %→80 %."
    )
    assert "on hold" not in words  # never on hold: not mentioned


def test_the_builder_turns_the_trend_into_a_file_to_share():
    [upload] = render(improving(), Templates())
    assert isinstance(upload, Upload)
    assert upload == chart_upload(improving())
    assert upload.filename == "portfolio-health-2026-11-30.png"
    assert upload.title == "Portfolio health, last 13 weeks"
    assert upload.alt_text == alt_text(improving())
    assert png_size(upload.data) == (1200, 675)
