"""Charts of the documents: Vega-Lite specs built in Python and rendered once to raster images.

PNG from vl-convert (SVG titles get clipped in PDFs). Each chart is rendered once and used by
both documents: the PNG goes into the DOCX as is, and a JPEG copy goes into the PDF because
WeasyPrint embeds JPEG data without decoding it, while every PNG would be decoded and
re-compressed (about 15 ms each, 3 s for 200 charts). Large batches are split with a helper
process (`rumbo.reports.chart_worker`) so two cores render at once.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vl_convert
from PIL import Image

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
SCALE = 1.5  # 1.5× the CSS size: sharp in print at A4 width, and a third fewer pixels to render than 2×
# Below this many charts a helper process costs more (start-up and warm-up) than it saves.
PARALLEL_FROM = 16

LIGHT_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "missing": "#9e9e9e"}
SERIES_COLOURS = ["#1565c0", "#ef6c00"]


@dataclass(slots=True)
class ChartImage:
    png: bytes
    jpeg: bytes
    width: int  # pixels of the PNG (SCALE × the spec's CSS pixels)
    height: int


def indicator_chart_spec(
    *, points: list[dict[str, Any]], value_label: str, target_label: str
) -> dict[str, Any]:
    """Values against targets over periods: `points` are {"period", "series", "value"} rows where
    series is `value_label` or `target_label`."""
    return {
        "$schema": SCHEMA,
        "width": 300,
        "height": 110,
        "background": "white",
        "data": {"values": points},
        "mark": {"type": "line", "point": True, "strokeWidth": 2},
        "encoding": {
            "x": {
                "field": "period",
                "type": "ordinal",
                "title": None,
                "sort": None,
                "axis": {"labelAngle": 0},
            },
            "y": {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [value_label, target_label], "range": SERIES_COLOURS},
                "legend": {"orient": "bottom"},
            },
        },
        "config": {"view": {"stroke": None}},
    }


def indicators_chart_spec(
    *, points: list[dict[str, Any]], value_label: str, target_label: str
) -> dict[str, Any]:
    """Small multiples: one panel per indicator (values against targets over periods, each with
    its own scale), two per row. `points` are {"indicator", "period", "series", "value"} rows.
    One image for several indicators renders about twice as fast as one image each. Labels
    come shortened: Vega's own truncation measures the text again and again (slow)."""
    return {
        "$schema": SCHEMA,
        "background": "white",
        "data": {"values": points},
        "facet": {
            "field": "indicator",
            "type": "nominal",
            "title": None,
            "sort": None,
            "header": {
                "labelLimit": 0,
                "labelAnchor": "start",
                "labelFontWeight": "bold",
                "labelFontSize": 11,
            },
        },
        "columns": 2,
        "spec": {
            "width": 250,
            "height": 100,
            "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "encoding": {
                "x": {"field": "period", "type": "ordinal", "title": None, "sort": None},
                "y": {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}},
                "color": {
                    "field": "series",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": [value_label, target_label], "range": SERIES_COLOURS},
                    "legend": {"orient": "top"},
                },
            },
        },
        "resolve": {"scale": {"y": "independent"}},
        "config": {"view": {"stroke": None}},
    }


def progress_chart_spec(*, points: list[dict[str, Any]], title: str = "") -> dict[str, Any]:
    """Progress (%) per period of one or several series: `points` are {"period", "series", "percent"}."""
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": 460,
        "height": 160,
        "background": "white",
        "data": {"values": points},
        "layer": [
            {
                "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#2e7d32"},
                "encoding": {"y": {"datum": 90}},
            },
            {
                "mark": {"type": "line", "point": True, "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "period", "type": "ordinal", "title": None, "sort": None},
                    "y": {
                        "field": "percent",
                        "type": "quantitative",
                        "title": "%",
                        "scale": {"domain": [0, 100]},
                    },
                    "color": {
                        "field": "series",
                        "type": "nominal",
                        "title": None,
                        "legend": {"orient": "bottom", "labelLimit": 0},
                    },
                },
            },
        ],
        "config": {"view": {"stroke": None}},
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 12}
    return spec


def png_to_chart(png: bytes) -> ChartImage:
    """The PNG with its JPEG copy (flattened onto white) and its size."""
    image: Image.Image = Image.open(io.BytesIO(png))
    if image.mode != "RGB":
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A") if "A" in image.getbands() else None)
        image = background
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, subsampling=0)
    return ChartImage(png=png, jpeg=out.getvalue(), width=image.width, height=image.height)


def render_one(spec: dict[str, Any]) -> ChartImage:
    return png_to_chart(vl_convert.vegalite_to_png(spec, scale=SCALE))


def render_charts(specs: dict[str, dict[str, Any]]) -> dict[str, ChartImage]:
    """Every chart rendered once, keyed as given. Big batches are shared with a helper process."""
    keys = list(specs)
    if len(keys) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return {key: render_one(specs[key]) for key in keys}
    half = len(keys) // 2
    theirs, mine = keys[:half], keys[half:]
    worker = _worker_start([specs[k] for k in theirs])
    results: dict[str, ChartImage] = {}
    try:
        for key in mine:
            results[key] = render_one(specs[key])
        pngs = _worker_collect(worker, len(theirs))
    except Exception:
        worker.kill()
        worker.wait()
        raise
    for key, png in zip(theirs, pngs, strict=True):
        results[key] = png_to_chart(png)
    return {key: results[key] for key in keys}


def _worker_start(specs: list[dict[str, Any]]) -> subprocess.Popen[bytes]:
    root = Path(__file__).resolve().parent.parent.parent
    process = subprocess.Popen(  # noqa: S603 — our own interpreter and module, no shell
        [sys.executable, "-m", "rumbo.reports.chart_worker", str(SCALE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=root,
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps(specs).encode())
    process.stdin.close()
    return process


def _worker_collect(process: subprocess.Popen[bytes], count: int) -> list[bytes]:
    assert process.stdout is not None
    data = process.stdout.read()
    code = process.wait()
    pngs: list[bytes] = []
    offset = 0
    while offset < len(data):
        (size,) = struct.unpack_from(">I", data, offset)
        offset += 4
        pngs.append(data[offset : offset + size])
        offset += size
    if code != 0 or len(pngs) != count:
        raise RuntimeError(f"chart worker failed (exit {code}, {len(pngs)} of {count} charts)")
    return pngs
