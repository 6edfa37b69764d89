"""The shared import pipeline: every spreadsheet Rumbo reads goes through here (docs/import-format.md).

- `reading`: detect the format by content, decode CSV, stream XLSX through the zip-bomb guard;
- `columns`: an importer's columns declared once, matched against row 1;
- `cells`: the parsers of numbers, money, percentages, dates, yes/no and codes, one rule for all;
- `errors`: the one shape of a refusal (RowError, RowErrors, ImportRefused);
- `flow`: upload → preview with the column mapping → confirm → job, the same for every importer.

An importer is then its columns, its row checks and its writer (rumbo/plans/imports/,
rumbo/indicators/measurements/imports/, rumbo/investments/execution/imports/).
"""

from rumbo.core.tabular.cells import (
    CellError,
    boolean_cell,
    code_cell,
    date_cell,
    money_cell,
    number_cell,
    percentage_cell,
    text_cell,
)
from rumbo.core.tabular.columns import Column, Columns, HeaderMap
from rumbo.core.tabular.errors import (
    ImportRefused,
    RowError,
    RowErrors,
    file_refused,
    refusal_summary,
    refused_as,
)
from rumbo.core.tabular.flow import (
    ImportPreview,
    PreviewRow,
    header_read,
    import_job_confirm,
    job_table_preview,
    mapping_remembered,
    table_preview,
)
from rumbo.core.tabular.jobs import (
    import_audit,
    import_job_keep,
    import_job_run,
    import_job_target,
    job_opener,
    phase_reporter,
    upload_accept,
)
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
    "CellError",
    "Column",
    "Columns",
    "FileInfo",
    "HeaderMap",
    "ImportPreview",
    "ImportRefused",
    "Opener",
    "PreviewRow",
    "Progress",
    "RowError",
    "RowErrors",
    "Table",
    "boolean_cell",
    "bytes_opener",
    "cell_text",
    "code_cell",
    "date_cell",
    "file_refused",
    "fold",
    "fold_header",
    "header_read",
    "import_audit",
    "import_job_confirm",
    "import_job_keep",
    "import_job_run",
    "import_job_target",
    "is_blank",
    "is_blank_row",
    "job_opener",
    "job_table_preview",
    "mapping_remembered",
    "money_cell",
    "not_readable_message",
    "number_cell",
    "percentage_cell",
    "phase_reporter",
    "refusal_summary",
    "refused_as",
    "sniff_delimiter",
    "table_detect",
    "table_open",
    "table_preview",
    "text_cell",
    "upload_accept",
]
