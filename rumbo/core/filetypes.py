"""What an uploaded ZIP container really is: an Office Open XML or OpenDocument file, told by its
members (never by its name). Each upload check decides which of these kinds it accepts."""

from __future__ import annotations

import zipfile
from typing import Any

# member that only that kind of document has → (extension, content type)
OOXML_TYPES: dict[str, tuple[str, str]] = {
    "xl/workbook.xml": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "word/document.xml": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "ppt/presentation.xml": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
# content of the `mimetype` member → extension
ODF_TYPES: dict[bytes, str] = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def office_document_type(upload: Any) -> tuple[str, str] | None:
    """(extension, content type) of a DOCX/XLSX/PPTX or ODT/ODS/ODP file; None for any other ZIP
    or a broken one. The upload is read from its start and left rewound."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                kind = archive.read("mimetype")[:100].strip()
                extension = ODF_TYPES.get(kind)
                return (extension, kind.decode()) if extension else None
            if "[Content_Types].xml" in names:
                return next((found for member, found in OOXML_TYPES.items() if member in names), None)
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None
