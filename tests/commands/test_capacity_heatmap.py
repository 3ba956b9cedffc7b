"""The capacity heat map from plain data: a real PNG of a fixed size, each band in its
colour, described in words from the same data."""

from __future__ import annotations

from datetime import date, timedelta

import numpy

from commands.capacity_heatmap import (
    COLOURS,
    DPI,
    HEIGHT_INCHES,
    WIDTH_INCHES,
    alt_text,
    heatmap_png,
    heatmap_upload,
)
from commands.rendering import render
from commands.templates import Templates
from commands.upload import Upload
from tests.commands.test_digest_chart import pixels, png_size, share_of_colour
from workflows.load_heatmap import Band, HeatCell, HeatMap, HeatRow

WEEKS = tuple(date(2026, 11, 30) + timedelta(weeks=n) for n in range(12))
CELLS = {
    Band.FREE: HeatCell(20, Band.FREE),
    Band.OK: HeatCell(70, Band.OK),
    Band.FULL: HeatCell(100, Band.FULL),
    Band.OVER: HeatCell(140, Band.OVER),
    Band.LEAVE: HeatCell(None, Band.LEAVE),
}


def row(name, *bands):
    cells = [CELLS[band] for band in bands]
    cells += [CELLS[Band.OK]] * (len(WEEKS) - len(cells))
    return HeatRow(user_id=f"U{name.upper()[:8]}", name=name, cells=tuple(cells))


def team(more=0, skill=None):
    return HeatMap(
        weeks=WEEKS,
        rows=(
            row("Ana", Band.OVER, Band.OVER, Band.FULL),
            row("Bo $5 Smith", Band.FULL, Band.LEAVE, Band.LEAVE),
            row("Cy", *[Band.FREE] * 12),
        ),
        more=more,
        threshold=10,
        skill=skill,
    )


def test_the_heat_map_is_a_png_of_the_fixed_size():
    assert png_size(heatmap_png(team())) == (WIDTH_INCHES * DPI, HEIGHT_INCHES * DPI)
    assert png_size(heatmap_png(team())) == (1200, 1500)


def test_each_band_is_drawn_in_its_colour_and_the_picture_is_not_blank():
    image = pixels(heatmap_png(team()))
    assert len(numpy.unique(image.reshape(-1, image.shape[2]), axis=0)) > 50
    for band in Band:
        assert share_of_colour(image, COLOURS[band]) > 0.002, band
    # Cy is free every week: the palest band covers more than the red one.
    assert share_of_colour(image, COLOURS[Band.FREE]) > share_of_colour(image, COLOURS[Band.OVER])


def test_many_people_and_nobody_give_a_picture_of_the_same_size():
    many = HeatMap(
        weeks=WEEKS,
        rows=tuple(row(f"Person {n}", Band.OVER) for n in range(40)),
        more=1960,
        threshold=10,
    )
    nobody = HeatMap(weeks=WEEKS, rows=(), more=0, threshold=10)
    assert png_size(heatmap_png(many)) == png_size(heatmap_png(nobody)) == (1200, 1500)
    assert (
        alt_text(nobody)
        == "Team load, next 12 weeks (Mon 30 Nov 2026 to Mon 15 Feb 2027): nobody to show."
    )


def test_the_same_data_gives_the_same_bytes():
    assert heatmap_png(team()) == heatmap_png(team())


def test_the_alt_text_says_who_is_over_free_and_away():
    assert alt_text(team()) == (
        "Team load, next 12 weeks (Mon 30 Nov 2026 to Mon 15 Feb 2027), 3 people, "
        "most loaded first: "
        "1 over 110 % in some week (Ana); 1 under 50 % every week (Cy); 1 on leave some week."
    )
    assert "the 3 most loaded of 1,003 people (and 1,000 more)" in alt_text(team(more=1000))


def test_the_builder_turns_the_heat_map_into_a_file_to_share():
    [upload] = render(team(skill="backend"), Templates())
    assert isinstance(upload, Upload)
    assert upload == heatmap_upload(team(skill="backend"))
    assert (upload.filename, upload.title) == (
        "capacity-heatmap-2026-11-30.png",
        "People with backend, next 12 weeks",
    )
    assert png_size(upload.data) == (1200, 1500)
