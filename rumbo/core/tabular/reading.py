"""Reading a spreadsheet someone uploaded, the same way for every importer.

`table_detect` looks at the bytes, not the name: an Excel workbook (.xlsx, read through the
zip-bomb guard of rumbo.core.spreadsheets, cached values only, never formulas) or CSV text, whose
encoding (UTF-8, UTF-8 with BOM, Windows-1252 as a Spanish Excel writes it) and delimiter (`;`,
`,` or tab) it finds in one streaming pass. Old .xls, OpenDocument, PDF, UTF-16, binaries and a
workbook cut in half are refused with a message that says what to do. `table_open` then streams
the rows of a sheet as (row number as Excel shows it, cells). Nothing is read whole into memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

from rumbo.core.exports import csv_cell_unquote
from rumbo.core.spreadsheets import xlsx_open
from rumbo.core.tabular.errors import file_refused
from rumbo.core.uploads import UploadRefused, upload_max_bytes, upload_size_message

Opener = Callable[[], IO[bytes]]
Progress = Callable[[str, int, int], None]  # (phase, rows done, rows expected)

_READ_BYTES = 1024 * 1024
_SNIFF_CHARS = 65536


@dataclass(slots=True)
class FileInfo:
    """What was detected about the file before reading its rows."""

    format: str  # "csv" or "xlsx"
    filename: str
    size: int
    encoding: str = ""  # csv: "utf-8-sig", "utf-8", "cp1252" or "latin-1"
    delimiter: str = ""  # csv
    estimated_rows: int = 0  # data rows (lines minus the header; xlsx: the sheet's dimension)
    sheet: str = ""  # xlsx: the sheet read

    @property
    def delimiter_label(self) -> str:
        return {";": _("semicolon (;)"), ",": _("comma (,)"), "\t": _("tab")}.get(
            self.delimiter, self.delimiter
        )

    @property
    def encoding_label(self) -> str:
        return {
            "utf-8-sig": "UTF-8 (BOM)",
            "utf-8": "UTF-8",
            "cp1252": "Windows-1252",
            "latin-1": "ISO-8859-1",
        }.get(self.encoding, self.encoding)


# --- cells and headers ------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents and with single spaces: "  Año  Inicio" → "ano inicio"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def fold_header(text: str) -> str:
    """A header as a key: "Código del Indicador " → "codigo_del_indicador"."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


def cell_text(value: Any, *, month_dates: bool = False) -> str:
    """A cell as text: numbers without a spurious ".0", dates in ISO form. With `month_dates`, a
    first-of-month date reads as that month ("2025-07"), which is what Excel made of it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        midnight = not isinstance(value, datetime) or value.time() == datetime.min.time()
        if month_dates and value.day == 1 and midnight:
            return f"{value.year}-{value.month:02d}"
        return value.isoformat()
    return str(value)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def is_blank_row(cells: list[Any]) -> bool:
    return all(is_blank(c) for c in cells)


# --- detecting the format ---------------------------------------------------------------------


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a header line: the most frequent of `;`, tab and `,` outside quotes
    (ties go to `;`, which is what a Spanish Excel writes)."""
    counts = {";": 0, "\t": 0, ",": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def not_readable_message() -> str:
    return _(
        "The file is not a spreadsheet or a CSV text file that Rumbo can read. "
        "Upload an Excel workbook (.xlsx) or a CSV file."
    )


def _looks_utf16(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if len(sample) < 4:
        return False
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    return max(even_nuls, odd_nuls) > 0.3


def _check_text_start(first: bytes) -> None:
    if _looks_utf16(first[:4000]):
        raise file_refused(
            _(
                "The file is in a text encoding Rumbo cannot read (it looks like UTF-16). "
                "In Excel, save it as “CSV UTF-8 (comma delimited)” or as an Excel workbook (.xlsx)."
            )
        )
    if b"\x00" in first[:_SNIFF_CHARS]:
        raise file_refused(not_readable_message())


def _detect_csv(opener: Opener, info: FileInfo) -> None:
    """One pass over the bytes: the encoding (UTF-8 if every byte decodes, else Windows-1252,
    else Latin-1), the delimiter of the first line and the number of lines."""
    decoders = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8", "cp1252")}
    lines = 0
    first = b""
    last_byte = b""
    with opener() as handle:
        while chunk := handle.read(_READ_BYTES):
            if not first:
                first = chunk
                _check_text_start(chunk)
            lines += chunk.count(b"\n")
            last_byte = chunk[-1:]
            for name, decoder in list(decoders.items()):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    del decoders[name]
        for name, decoder in list(decoders.items()):
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                del decoders[name]
    if not first.strip():
        raise file_refused(_("The file is empty."))
    if last_byte not in (b"\n", b""):
        lines += 1
    if "utf-8" in decoders:
        info.encoding = "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        info.encoding = "cp1252" if "cp1252" in decoders else "latin-1"
    head = first[: _SNIFF_CHARS * 2].decode(info.encoding, errors="replace")[:_SNIFF_CHARS]
    controls = sum(1 for ch in head if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if controls / len(head) > 0.01:
        raise file_refused(not_readable_message())
    info.delimiter = sniff_delimiter(head.lstrip("\ufeff").split("\n", 1)[0])
    info.estimated_rows = max(0, lines - 1)


def _detect_workbook(opener: Opener) -> None:
    with opener() as handle:
        try:
            with zipfile.ZipFile(handle) as archive:
                names = set(archive.namelist())
                ods = "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis")
        except (zipfile.BadZipFile, EOFError) as exc:
            raise file_refused(_("The Excel workbook is damaged and cannot be read.")) from exc
    if ods:
        raise file_refused(
            _("This is an OpenDocument spreadsheet (.ods). Save it as an Excel workbook (.xlsx) or as CSV.")
        )
    if "xl/workbook.xml" not in names:
        raise file_refused(_("The file is a ZIP archive but not an Excel workbook (.xlsx)."))


def table_detect(opener: Opener, filename: str, size: int) -> FileInfo:
    """The file's format (and, for CSV, its encoding and delimiter); a file that cannot be
    read at all raises ImportRefused with one message on row 0."""
    if size > upload_max_bytes():
        raise file_refused(upload_size_message(size))
    with opener() as handle:
        head = handle.read(8)
    if not head.strip():
        raise file_refused(_("The file is empty."))
    info = FileInfo(format="csv", filename=filename, size=size)
    if head.startswith(b"PK\x03\x04"):
        _detect_workbook(opener)
        info.format = "xlsx"
        return info
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_refused(
            _("This is an old Excel file (.xls). Open it in Excel and save it as an Excel workbook (.xlsx).")
        )
    if head.startswith(b"%PDF"):
        raise file_refused(not_readable_message())
    if PurePath(filename).suffix.lower() in (".xlsx", ".xlsm"):
        raise file_refused(_("The file is named .xlsx but is not an Excel workbook."))
    _detect_csv(opener, info)
    return info


# --- reading the rows -------------------------------------------------------------------------


Rows = Iterator[tuple[int, list[Any]]]


class Table:
    """An open file: its sheets (one, unnamed, for CSV) and their rows, streamed."""

    def __init__(self, info: FileInfo, workbook: Any = None, raw: IO[bytes] | None = None) -> None:
        self.info = info
        self._workbook = workbook
        self._raw = raw

    @property
    def sheet_names(self) -> list[str]:
        return list(self._workbook.sheetnames) if self._workbook is not None else [""]

    def sheet_find(self, *names: str) -> str | None:
        """The first sheet whose folded name is one of `names`."""
        folded = {fold_header(n): n for n in self.sheet_names}
        return next((folded[fold_header(n)] for n in names if fold_header(n) in folded), None)

    def rows(self, sheet: str | None = None) -> Rows:
        """(row number, cells) from row 1 (the header). XLSX cells keep their types (numbers,
        dates); CSV cells are text, with the apostrophe Rumbo's exports put before text that
        starts like a formula taken off again."""
        if self._workbook is None:
            return self._csv_rows()
        name = sheet or self._workbook.sheetnames[0]
        ws = self._workbook[name]
        if sheet is None or sheet == self.info.sheet or not self.info.sheet:
            self.info.sheet = name
            self.info.estimated_rows = max(0, (ws.max_row or 1) - 1)
        return self._sheet_rows(ws)

    def _sheet_rows(self, ws: Any) -> Rows:
        try:
            for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        except UploadRefused:
            raise
        except Exception as exc:  # openpyxl raises many kinds for a workbook cut in half
            raise file_refused(_("The Excel workbook is damaged and cannot be read.")) from exc

    def _csv_rows(self) -> Rows:
        assert self._raw is not None
        text = io.TextIOWrapper(self._raw, encoding=self.info.encoding, newline="")
        reader = csv.reader(text, delimiter=self.info.delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, [csv_cell_unquote(c) for c in cells]
        except csv.Error as exc:
            raise file_refused(
                _("The CSV file could not be read near row %(row)s: %(detail)s.")
                % {"row": reader.line_num, "detail": str(exc)}
            ) from exc


@contextmanager
def table_open(opener: Opener, info: FileInfo) -> Iterator[Table]:
    """The file of `table_detect`, open for reading rows; closed when the block ends."""
    with opener() as handle:
        if info.format != "xlsx":
            yield Table(info, raw=handle)
            return
        try:
            workbook = xlsx_open(handle)
        except UploadRefused as exc:
            raise file_refused(exc.messages[0]) from exc
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise file_refused(_("The Excel workbook is damaged and cannot be read.")) from exc
        try:
            if not workbook.sheetnames:
                raise file_refused(_("The file is empty."))
            yield Table(info, workbook=workbook)
        finally:
            workbook.close()


def bytes_opener(data: bytes) -> Opener:
    """An opener for a file already in memory."""
    return lambda: io.BytesIO(data)
