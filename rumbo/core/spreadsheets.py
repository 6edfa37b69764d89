"""Opening an uploaded Excel workbook safely: the one way every importer reads XLSX.

Before openpyxl sees a workbook, its ZIP directory passes `zip_guard` (no member unpacks to
far more than it weighs) and every large sheet or string table is scanned in a stream for a
cell longer than Excel itself allows (32,767 characters): openpyxl builds each cell's text in
memory, so one enormous cell could otherwise take the process down. The scan holds a few
kilobytes at a time whatever the file. Then openpyxl opens it read-only (streaming) with values
only: formulas are never evaluated, their last computed values are read.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _

from rumbo.core.uploads import UploadRefused, zip_guard

CELL_MAX_CHARS = 32_767  # Excel's own limit for one cell
SCAN_FROM_BYTES = 4 * 1024 * 1024  # members smaller than this cannot hold an oversized cell


class CellTooLong(UploadRefused):
    pass


def _members_to_scan(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [
        info
        for info in archive.infolist()
        if info.file_size > SCAN_FROM_BYTES
        and (info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml")
    ]


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Stream one XML member through expat, counting the text of each element."""
    length = 0

    def start(_name: str, _attrs: Any) -> None:
        nonlocal length
        length = 0

    def text(data: str) -> None:
        nonlocal length
        length += len(data)
        if length > CELL_MAX_CHARS:
            raise CellTooLong(
                _("A cell of the workbook holds more than %(limit)s characters, more than Excel allows.")
                % {"limit": f"{CELL_MAX_CHARS:,}".replace(",", ".")},
                code="cell_too_long",
            )

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    parser.buffer_text = False
    with archive.open(info) as member:
        for chunk in iter(lambda: member.read(256 * 1024), b""):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def xlsx_guard(source: str | IO[bytes] | Any) -> None:
    """Refuse a workbook that is a compression bomb or holds an oversized cell. A file object is
    rewound; XML or ZIP damage is left for openpyxl to report as a damaged workbook."""
    zip_guard(source)
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            for info in _members_to_scan(archive):
                try:
                    _scan_member(archive, info)
                except (expat.ExpatError, zipfile.BadZipFile, EOFError):
                    return
    except (zipfile.BadZipFile, OSError):
        return
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def xlsx_open(source: str | IO[bytes] | Any) -> Any:
    """The guarded workbook, read-only and values-only. Raises UploadRefused for a bomb or an
    oversized cell; openpyxl's own exceptions for a damaged file (callers word those)."""
    from openpyxl import load_workbook

    xlsx_guard(source)
    return load_workbook(source, read_only=True, data_only=True)
