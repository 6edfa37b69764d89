"""Helper process of `rumbo.reports.charts`: reads a JSON list of Vega-Lite specs on stdin and
writes each PNG to stdout, prefixed by its length (4 bytes, big-endian). No Django here."""

from __future__ import annotations

import json
import struct
import sys

import vl_convert


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    specs = json.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer
    for spec in specs:
        png = vl_convert.vegalite_to_png(spec, scale=scale)
        out.write(struct.pack(">I", len(png)))
        out.write(png)
    out.flush()


if __name__ == "__main__":
    main()
