"""One policy for every uploaded file: how large it may be, and what a ZIP container may unpack to.

Every upload of Rumbo — spreadsheets to import, evidence, legal acts, deliverables, documents of
the project bank — shares one size limit (RUMBO_UPLOAD_MAX_BYTES, 50 MB by default) and one
message; spatial layers, which are larger by nature, have their own (RUMBO_LAYER_MAX_BYTES).

A ZIP container (XLSX, DOCX, ODS, a zipped Shapefile) is checked by its central directory before
anything reads it: a few kilobytes of metadata, read in milliseconds, tell what each member
claims to unpack to, and Python's zipfile never yields more than a member claims. A member
that unpacks to far more than it weighs is a compression bomb (a 1 MB workbook holding one
1 GiB cell) and is refused before openpyxl, pyogrio or python-docx ever open it.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext as _

UploadKind = Literal["file", "layer"]

# what a member of a ZIP container may unpack to; legitimate XLSX/DOCX members compress 5–20×
ZIP_MAX_RATIO = 100  # a member larger than ZIP_RATIO_FROM may unpack to at most this many times its size
ZIP_RATIO_FROM = 1024 * 1024
ZIP_MAX_MEMBERS = 10_000


class UploadRefused(ValidationError):
    """A file refused by the policy. A ValidationError, so that forms show it beside the field;
    importers turn `.messages` into their own file-level errors."""


def upload_max_bytes(kind: UploadKind = "file") -> int:
    if kind == "layer":
        return int(settings.RUMBO_LAYER_MAX_BYTES)
    return int(settings.RUMBO_UPLOAD_MAX_BYTES)


def upload_limit_text(kind: UploadKind = "file") -> str:
    """The limit in words, for the help text of every file field."""
    return _("At most %(limit)s.") % {"limit": filesizeformat(upload_max_bytes(kind))}


def _help(description: Any = "", kind: UploadKind = "file") -> str:
    limit = upload_limit_text(kind)
    return f"{description} {limit}" if description else limit


# help_text for a file field, evaluated when the form is shown: upload_help(_("PDF or DOCX."))
upload_help = lazy(_help, str)


def upload_size_message(size: int, kind: UploadKind = "file") -> str:
    return _("The file is too large (%(size)s); the limit for uploaded files is %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(upload_max_bytes(kind)),
    }


def upload_size_check(size: int, kind: UploadKind = "file") -> None:
    """Raise UploadRefused when `size` bytes exceed the limit for this kind of upload."""
    if size > upload_max_bytes(kind):
        raise UploadRefused(upload_size_message(size, kind), code="file_size")


def zip_unpacked_limit(kind: UploadKind = "file") -> int:
    """What all members of one container may unpack to together: twenty times the upload limit
    (a 50 MB workbook of plain numbers unpacks to about 400 MB), and never less than 200 MB."""
    return max(20 * upload_max_bytes(kind), 200 * 1024 * 1024)


def zip_guard(source: str | IO[bytes] | Any, kind: UploadKind = "file") -> None:
    """Refuse a ZIP container whose members claim to unpack to too much. Reads only the central
    directory; a file object is rewound afterwards. A file that is not a ZIP passes (other checks
    decide what it is); a damaged ZIP passes too, and its reader reports it."""
    handle: Any = source
    position = handle.tell() if hasattr(handle, "tell") else None
    try:
        if position is not None:
            handle.seek(0)
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    finally:
        if position is not None:
            handle.seek(position)
    refused = UploadRefused(
        _(
            "The file unpacks to far more than it weighs (a compressed “bomb”) and is refused. "
            "Open it in the spreadsheet or text program, save it again, or send it as CSV."
        ),
        code="zip_bomb",
    )
    if len(members) > ZIP_MAX_MEMBERS:
        raise refused
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > ZIP_RATIO_FROM and member.file_size > ZIP_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise refused
    if total > zip_unpacked_limit(kind):
        raise refused


def upload_check(upload: Any, kind: UploadKind = "file") -> None:
    """The whole policy for one upload: its size, then (for a ZIP container) what it unpacks to.

    Spatial files ("layer") are checked for size only: a Shapefile's .dbf of padded text may
    legitimately compress several hundred times, and only the layer import unpacks one — in the
    worker, under its memory ceiling, with its own limit on the total unpacked.
    """
    upload_size_check(int(getattr(upload, "size", 0) or 0), kind)
    if kind == "file":
        zip_guard(upload, kind)
