"""The shared import pipeline: every spreadsheet Rumbo reads goes through here (docs/import-format.md).

- `reading`: detect the format by content, decode CSV, stream XLSX through the zip-bomb guard;
- `columns`: an importer's columns declared once, matched against row 1;
- `errors`: the one shape of a refusal (RowError, ImportRefused).

An importer is then its columns, its row checks and its writer (rumbo/plans/imports/,
rumbo/indicators/measurements/imports/, rumbo/investments/execution/imports/).
"""

from rumbo.core.tabular.columns import Column, Columns, HeaderMap
from rumbo.core.tabular.errors import ImportRefused, RowError, file_refused, refused_as
from rumbo.core.tabular.jobs import import_job_keep, import_job_run, job_opener, phase_reporter, upload_accept
from rumbo.core.tabular.reading import (
    FileInfo,
    Opener,
    Progress,
    Table,
    bytes_opener,
    cell_text,
    fold,
    fold_header,
    is_blank,
    is_blank_row,
    not_readable_message,
    sniff_delimiter,
    table_detect,
    table_open,
)

__all__ = [
    "Column",
    "Columns",
    "FileInfo",
    "HeaderMap",
    "ImportRefused",
    "Opener",
    "Progress",
    "RowError",
    "Table",
    "bytes_opener",
    "cell_text",
    "file_refused",
    "fold",
    "fold_header",
    "import_job_keep",
    "import_job_run",
    "is_blank",
    "is_blank_row",
    "job_opener",
    "not_readable_message",
    "phase_reporter",
    "refused_as",
    "sniff_delimiter",
    "table_detect",
    "table_open",
    "upload_accept",
]
