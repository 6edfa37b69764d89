"""The PDF of a report: a Django template with print CSS rendered by WeasyPrint. Charts are
served to WeasyPrint from memory (`chart:<key>` URLs) as JPEG, which it embeds without
re-encoding."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from rumbo.core.exports import text_printable
from rumbo.reports.selectors import ReportContent


class _ChartFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `chart:<key>` from the rendered charts; nothing else is fetched (no network)."""

    def __init__(self, content: ReportContent) -> None:
        super().__init__(allowed_protocols=["chart"], fail_on_errors=False)
        self._content = content

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith("chart:"):
            raise ValueError(f"not allowed: {url}")
        chart = self._content.charts[url.removeprefix("chart:")]
        return URLFetcherResponse(url, body=chart.jpeg, headers={"Content-Type": "image/jpeg"})


def report_html(*, content: ReportContent) -> str:
    return render_to_string("reports/pdf/report.html", {"c": content})


def report_pdf(*, content: ReportContent) -> bytes:
    """The report as PDF bytes (A4, page numbers, "DRAFT" watermark unless published). Control
    characters pasted into names would print as empty boxes: they are taken out."""
    content.render_charts()
    html = HTML(
        string=text_printable(report_html(content=content)),
        base_url="chart:/",
        url_fetcher=_ChartFetcher(content),
    )
    return bytes(html.write_pdf())
