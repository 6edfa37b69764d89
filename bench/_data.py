"""The generated data the import benchmarks share (no side effects on import; Django is
imported inside the functions, after the calling script has set it up).

Measurements: indicators × 40 quarters × 25 districts, in a Spanish Excel CSV (Windows-1252,
";", decimal commas with thousands dots, CRLF). Plan structure: axes of 5 objectives of 4
programmes of 4 projects of 3 actions, in the plan import's CSV columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

QUARTERS, UNITS = 40, 25
MEASUREMENT_HEADER = "Indicador;Período;Unidad;Desagregación;Valor;Nota\r\n"
PLAN_HEADER = (
    "codigo;nivel;titulo;codigo_padre;peso;responsable;plazo;anio_inicio;anio_fin;descripcion;ambito"
)


def quarters(count: int, first: int = 2016) -> list[str]:
    return [f"{first + q // 4}T{q % 4 + 1}" for q in range(count)]


def measurement_value(i: int, q: int, u: int) -> str:
    """A value as a Spanish Excel writes it ("1.234,5"), spread over 0–2,000,000."""
    whole = (i * 7919 + q * 104729 + u * 1299709) % 2_000_000
    return f"{whole // 1000}.{whole % 1000:03d},{(i + q + u) % 10}" if whole >= 1000 else f"{whole},{u % 10}"


def measurement_world(root: Any, indicators: int) -> int:
    """An entity, a plan over a province of 25 districts, the indicators and the periods; the plan's id."""
    from rumbo.accounts.models import Entity
    from rumbo.indicators.models import Indicator
    from rumbo.indicators.periods import period_get_or_create
    from rumbo.plans.models import PlanType
    from rumbo.plans.services import plan_create
    from rumbo.territory.models import TerritorialUnit

    entity = Entity.objects.create(
        name="Municipalidad de prueba", kind="provincial_municipality", country="PE"
    )
    plan_type, _ = PlanType.objects.get_or_create(country="PE", code="PAT", defaults={"name": "PAT"})
    plan = plan_create(actor=root, entity=entity, plan_type=plan_type, name="Plan de prueba")
    province = TerritorialUnit.objects.create(country="PE", code="BENCH01", name="Provincia", kind="province")
    province.path = f"/{province.pk}/"
    province.save()
    for u in range(UNITS):
        unit = TerritorialUnit.objects.create(
            country="PE",
            code=f"BENCH01{u:02d}",
            name=f"Distrito {u}",
            kind="municipality",
            parent=province,
            depth=1,
        )
        unit.path = f"{province.path}{unit.pk}/"
        unit.save(update_fields=["path"])
    plan.units.add(province)
    Indicator.objects.bulk_create(
        [
            Indicator(plan=plan, code=f"IND-{i:04d}", name=f"Indicador {i}", periodicity="quarterly")
            for i in range(indicators)
        ]
    )
    for code in quarters(QUARTERS):
        period_get_or_create(code)
    return int(plan.pk)


def measurement_csv(path: Path, indicators: int) -> int:
    """Write the measurement file; the number of data rows."""
    rows = 0
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write(MEASUREMENT_HEADER)
        for i in range(indicators):
            block = [
                f"IND-{i:04d};{period};BENCH01{u:02d};;{measurement_value(i, q, u)};\r\n"
                for q, period in enumerate(quarters(QUARTERS))
                for u in range(UNITS)
            ]
            out.write("".join(block))
            rows += len(block)
    return rows


def plan_lines(count: int) -> list[str]:
    """The header and `count` rows of a plan structure."""
    lines = [PLAN_HEADER]

    def add(code: str, parent: str, depth: int) -> None:
        lines.append(
            f"{code};{depth};Nodo {code} con título de longitud realista;{parent};0,25;"
            f"Gerencia de Planeamiento;mediano;2025;2030;Descripción del nodo {code};220101|220102"
        )

    axis = 0
    while len(lines) <= count:
        a = f"E{axis}"
        add(a, "", 1)
        for o in range(5):
            add(f"{a}.{o}", a, 2)
            for p in range(4):
                add(f"{a}.{o}.{p}", f"{a}.{o}", 3)
                for j in range(4):
                    add(f"{a}.{o}.{p}.{j}", f"{a}.{o}.{p}", 4)
                    for k in range(3):
                        add(f"{a}.{o}.{p}.{j}.{k}", f"{a}.{o}.{p}.{j}", 5)
        axis += 1
    return lines[: count + 1]
