"""Benchmark: the follow-up and evaluation document of a plan with 10 axes and 200 indicators
(8 quarters of targets and approved values each), with a chart per indicator and per axis.

Target (issue 3): PDF report ≤ 15 s. Also prints the DOCX time and the file sizes.

Run: `.venv/bin/python bench/monitoring_report.py`. Prints its figures; exits 0 whatever they are.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="rumbo-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["RUMBO_VAR_DIR"] = str(TMP)
os.environ["MEDIA_ROOT"] = str(TMP / "media")
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

from rumbo.accounts.models import Entity, Membership, User  # noqa: E402
from rumbo.indicators.models import (  # noqa: E402
    CorrectiveAction,
    Indicator,
    IndicatorLevel,
    Measurement,
    Target,
)
from rumbo.indicators.periods import period_get_or_create  # noqa: E402
from rumbo.plans.models import Node, PlanType  # noqa: E402
from rumbo.plans.services import node_create, plan_create  # noqa: E402
from rumbo.reports.pdf import report_pdf  # noqa: E402
from rumbo.reports.selectors import report_content  # noqa: E402
from rumbo.reports.services import report_create  # noqa: E402
from rumbo.reports.word import report_docx  # noqa: E402

AXES = 10
INDICATORS = 200
QUARTERS = [f"{year}T{q}" for year in (2024, 2025) for q in range(1, 5)]
LEVELS = ["Eje estratégico", "Objetivo estratégico", "Programa", "Proyecto / acción"]


def build() -> tuple[User, object]:
    call_command("migrate", verbosity=0)
    entity = Entity.objects.create(
        name="Municipalidad Provincial de Moyobamba", kind="municipality", country="PE"
    )
    user = User.objects.create_user("bench", password="x")
    Membership.objects.create(user=user, entity=entity, role="administrator")
    plan_type = PlanType.objects.create(
        country="PE", code="PAT", name="Plan de Acondicionamiento Territorial"
    )
    plan = plan_create(actor=user, entity=entity, plan_type=plan_type, name="PAT Moyobamba", levels=LEVELS)
    periods = [period_get_or_create(code) for code in QUARTERS]
    final = period_get_or_create("2030")
    per_axis = INDICATORS // AXES
    indicators: list[Indicator] = []
    for a in range(1, AXES + 1):
        axis = node_create(
            actor=user, plan=plan, parent=None, code=f"E{a}", title=f"Eje temático {a}: acondicionamiento"
        )
        targets_nodes: list[Node] = [axis]
        for o in range(1, 3):
            objective = node_create(
                actor=user,
                plan=plan,
                parent=axis,
                code=f"E{a}.O{o}",
                title=f"Objetivo {a}.{o} de ordenamiento territorial",
            )
            programme = node_create(
                actor=user,
                plan=plan,
                parent=objective,
                code=f"E{a}.O{o}.P1",
                title=f"Programa {a}.{o} de inversiones",
            )
            node_create(
                actor=user,
                plan=plan,
                parent=programme,
                code=f"E{a}.O{o}.P1.1",
                title=f"Proyecto {a}.{o} — mejoramiento de vías vecinales",
            )
            targets_nodes += [objective, programme]
        for i in range(per_axis):
            node = targets_nodes[i % len(targets_nodes)]
            indicators.append(
                Indicator(
                    plan=plan,
                    node=node,
                    code=f"E{a}-I{i + 1:02d}",
                    name=f"Indicador {i + 1} del eje {a}: cobertura de servicios básicos en la provincia",
                    unit="percentage",
                    unit_label="%",
                    baseline_value=Decimal(20 + i % 10),
                    level=[IndicatorLevel.IMPACT, IndicatorLevel.OUTCOME, IndicatorLevel.OUTPUT][i % 3],
                    means_of_verification="Informe trimestral de la gerencia",
                )
            )
    Indicator.objects.bulk_create(indicators)
    indicators = list(Indicator.objects.filter(plan=plan))
    targets, values = [], []
    for n, ind in enumerate(indicators):
        base = float(ind.baseline_value or 0)
        for q, period in enumerate(periods):
            targets.append(
                Target(indicator=ind, period=period, value=Decimal(str(round(base + 3 * (q + 1), 2))))
            )
            values.append(
                Measurement(
                    indicator=ind,
                    period=period,
                    status="approved",
                    value=Decimal(str(round(base + (2 + n % 3) * (q + 1), 2))),
                )
            )
        targets.append(Target(indicator=ind, period=final, value=Decimal(str(base + 40))))
    Target.objects.bulk_create(targets)
    Measurement.objects.bulk_create(values)
    for ind in indicators[::20]:
        CorrectiveAction.objects.create(
            plan=plan,
            node=ind.node,
            indicator=ind,
            title=f"Reforzar {ind.code}",
            responsible="Gerencia de Desarrollo Territorial",
        )
    report = report_create(
        actor=user, plan=plan, kind="evaluation", node=None, period_from=periods[0], period_to=periods[-1]
    )
    return user, report


def run() -> dict[str, float]:
    """Build the data, then time the content, the charts, the PDF and the DOCX."""
    _user, report = build()
    with translation.override("es"):
        t0 = time.perf_counter()
        content = report_content(report=report)  # type: ignore[arg-type]
        t1 = time.perf_counter()
        content.render_charts()
        t2 = time.perf_counter()
        pdf = report_pdf(content=content)
        t3 = time.perf_counter()
        docx = report_docx(content=content)
        t4 = time.perf_counter()
    keep = os.environ.get("RUMBO_BENCH_KEEP")  # a folder where to leave the documents for a look
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / "evaluacion.pdf").write_bytes(pdf)
        (Path(keep) / "evaluacion.docx").write_bytes(docx)
    return {
        "indicators": content.indicator_count,
        "charts": content.chart_count,
        "charted_indicators": content.charted_indicator_count,
        "content_s": t1 - t0,
        "charts_s": t2 - t1,
        "pdf_write_s": t3 - t2,
        "pdf_total_s": t3 - t0,
        "docx_write_s": t4 - t3,
        "pdf_mb": len(pdf) / 1e6,
        "docx_mb": len(docx) / 1e6,
    }


def main() -> None:
    result = run()
    print(
        f"Evaluation document: {result['indicators']:.0f} indicators ({result['charted_indicators']:.0f} charted), {result['charts']:.0f} chart images"
    )
    print(f"  content (roll-up, tree, series): {result['content_s']:.2f} s")
    print(f"  charts (rendered once, shared):  {result['charts_s']:.2f} s")
    print(f"  PDF writing (WeasyPrint):        {result['pdf_write_s']:.2f} s")
    print(f"  PDF total: {result['pdf_total_s']:.2f} s (target ≤ 15 s), {result['pdf_mb']:.1f} MB")
    print(f"  DOCX writing (charts reused):    {result['docx_write_s']:.2f} s, {result['docx_mb']:.1f} MB")


if __name__ == "__main__":
    main()
