"""Import and export of a whole plan structure (rumbo.plans.imports / rumbo.plans.exports)."""

from __future__ import annotations

import io
import random
from decimal import Decimal
from typing import Any

import orjson
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from rumbo.core.models import AuditAction, AuditEvent, Job, JobStatus
from rumbo.plans.exports import plan_export_csv, plan_export_json, plan_export_rows, plan_export_xlsx
from rumbo.plans.imports import (
    PlanImportError,
    plan_import,
    plan_import_apply,
    plan_import_parse,
    plan_import_start,
    plan_import_validate,
)
from rumbo.plans.models import Node, Plan, PlanLevel
from rumbo.plans.services import node_create, node_shift

pytestmark = pytest.mark.django_db

EXPORTERS = {"xlsx": plan_export_xlsx, "csv": plan_export_csv, "json": plan_export_json}
HEADER = "codigo;nivel;titulo;codigo_padre;peso;plazo;anio_inicio;anio_fin;ambito"


def build_tree(plan: Plan, actor: Any, units: dict[str, Any]) -> None:
    """A tree with the awkward cases: separators, quotes, line breaks, formula-like titles,
    accents, a foreign unit, a fifth level created on the fly, positions unlike code order."""
    e1 = node_create(
        actor=actor,
        plan=plan,
        parent=None,
        code="E1",
        title="Territorio ordenado y resiliente",
        weight="0,6",
        responsible="Gerencia de Desarrollo Urbano",
        description='Primera línea\nsegunda línea; con «comillas» y "dobles"',
    )
    e2 = node_create(
        actor=actor,
        plan=plan,
        parent=None,
        code="E2",
        title="Economía diversificada; turismo",
        weight=Decimal("0.4"),
    )
    o11 = node_create(
        actor=actor,
        plan=plan,
        parent=e1,
        code="E1.O1",
        title="Reducir el riesgo de desastres",
        weight="0.333333",
        term="short",
        term_start=2025,
        term_end=2027,
        units=[units["220101"], units["220102"]],
    )
    node_create(
        actor=actor, plan=plan, parent=e1, code="E1.O2", title="=SUMA(A1:A3) no es una fórmula", weight=0
    )
    p = node_create(
        actor=actor,
        plan=plan,
        parent=o11,
        code="P-1",
        title="Programa de drenaje pluvial",
        term="medium",
        units=[units["05001"]],
    )
    a = node_create(
        actor=actor,
        plan=plan,
        parent=p,
        code="A-1",
        title="Colector de la Av. Grau",
        weight="1234,5",
        term="long",
        term_start=2030,
        term_end=2034,
    )
    node_create(
        actor=actor,
        plan=plan,
        parent=a,
        code="A-1.1",
        title="Subacción: ñandú, áéíóú ÁÉÍÓÚ ü",
        responsible="Subgerencia de Gestión del Riesgo",
    )
    node_create(actor=actor, plan=plan, parent=e2, code="10", title="Código numérico", weight="2,5")
    second = node_create(actor=actor, plan=plan, parent=e2, code="2", title="-empieza con guion", weight=1)
    node_shift(actor=actor, node=second, offset=-1)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def messages(exc: PlanImportError) -> list[str]:
    return [e.message for e in exc.errors]


def assert_paths_consistent(plan: Plan) -> None:
    nodes = {n.pk: n for n in Node.objects.filter(plan=plan).select_related("level")}
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        assert node.path == f"{parent.path if parent else '/'}{node.pk}/"
        assert node.depth == (parent.depth + 1 if parent else 1)
        assert node.level.depth == node.depth


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_export_then_import_into_an_empty_plan_reproduces_the_tree(fmt, make_plan, planner, units):
    # given
    source = make_plan()
    build_tree(source, planner, units)
    data = EXPORTERS[fmt](plan=source)
    target = make_plan(name="Copia")
    # when
    result = plan_import(actor=planner, plan=target, data=data, filename=f"estructura.{fmt}")
    # then
    assert (result.created, result.updated, result.unchanged, result.untouched) == (9, 0, 0, 0)
    assert plan_export_rows(plan=target) == plan_export_rows(plan=source)
    assert_paths_consistent(target)
    if fmt == "csv":
        assert plan_export_csv(plan=target) == data
    if fmt == "json":
        again = orjson.loads(plan_export_json(plan=target))
        first = orjson.loads(data)
        assert (again["nodes"], again["levels"]) == (first["nodes"], first["levels"])
    assert list(PlanLevel.objects.filter(plan=target).values_list("depth", "name")) == list(
        PlanLevel.objects.filter(plan=source).values_list("depth", "name")
    )


def test_exported_rows_carry_every_field(make_plan, planner, units):
    plan = make_plan()
    build_tree(plan, planner, units)

    rows = {r["codigo"]: r for r in plan_export_rows(plan=plan)}

    assert [r["codigo"] for r in plan_export_rows(plan=plan)] == [
        "E1",
        "E1.O1",
        "P-1",
        "A-1",
        "A-1.1",
        "E1.O2",
        "E2",
        "2",
        "10",
    ]
    assert rows["E1.O1"] == {
        "codigo": "E1.O1",
        "nivel": "Objetivo estratégico",
        "titulo": "Reducir el riesgo de desastres",
        "codigo_padre": "E1",
        "peso": Decimal("0.333333"),
        "responsable": "",
        "plazo": "corto",
        "anio_inicio": 2025,
        "anio_fin": 2027,
        "descripcion": "",
        "orden": 1,
        "ambito": ["220101", "220102"],
    }
    assert rows["P-1"]["ambito"] == ["CO:05001"]
    assert rows["A-1.1"]["nivel"] == "Nivel 5"
    assert rows["2"]["orden"] == 1 and rows["10"]["orden"] == 2


def test_csv_export_follows_the_spanish_excel_convention(make_plan, planner, units):
    plan = make_plan()
    build_tree(plan, planner, units)

    data = plan_export_csv(plan=plan)

    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == (
        "codigo;nivel;titulo;codigo_padre;peso;responsable;plazo;anio_inicio;anio_fin;descripcion;orden;ambito"
    )
    assert (
        "E1.O1;Objetivo estratégico;Reducir el riesgo de desastres;E1;0,333333;;corto;2025;2027;;1;220101|220102"
        in text
    )
    assert "'=SUMA(A1:A3)" in text  # a spreadsheet must not run it as a formula


def test_xlsx_export_has_nodes_levels_and_plan_sheets(make_plan, planner, units):
    plan = make_plan(vision="Moyobamba ordenada", target_image="Ciudad verde")
    build_tree(plan, planner, units)

    wb = load_workbook(io.BytesIO(plan_export_xlsx(plan=plan)))

    assert wb.sheetnames == ["nodos", "niveles", "plan"]
    formula_cell = next(row for row in wb["nodos"].iter_rows() if row[0].value == "E1.O2")[2]
    assert formula_cell.data_type == "s" and formula_cell.value == "=SUMA(A1:A3) no es una fórmula"
    assert [r for r in wb["niveles"].iter_rows(values_only=True)][1] == (
        1,
        "Eje estratégico",
        "eje-estrategico",
    )
    meta = dict(wb["plan"].iter_rows(values_only=True))
    assert meta["tipo"] == "PAT" and meta["pais"] == "PE" and meta["imagen_objetivo"] == "Ciudad verde"


def test_xlsx_levels_sheet_sets_the_levels_of_an_empty_plan(make_plan, planner, units):
    source = make_plan(levels=["Eje", "Objetivo", "Acción"])
    e = node_create(actor=planner, plan=source, parent=None, code="1", title="Agua")
    o = node_create(actor=planner, plan=source, parent=e, code="1.1", title="Cobertura")
    node_create(actor=planner, plan=source, parent=o, code="1.1.1", title="Reservorio")
    target = make_plan(name="Destino")  # the default four levels

    plan_import(actor=planner, plan=target, data=plan_export_xlsx(plan=source), filename="x.xlsx")

    assert list(PlanLevel.objects.filter(plan=target).values_list("depth", "name")) == [
        (1, "Eje"),
        (2, "Objetivo"),
        (3, "Acción"),
    ]
    assert plan_export_rows(plan=target) == plan_export_rows(plan=source)


# --- reading files as people make them -------------------------------------------------------------


def test_windows_1252_csv_with_semicolons_and_decimal_commas_imports(make_plan, planner, units):
    data = csv_bytes(
        "Código;Nivel;Título;Código padre;Peso;Plazo;Año inicio;Año fin;Ámbito",
        "E1;Eje estratégico;Gestión del agua y saneamiento;;0,5;corto;2025;2026;220101|220102",
        "E1.1;Objetivo estratégico;Protección de cabeceras de cuenca;E1;1.234,5;Mediano;;;",
        encoding="cp1252",
    )
    plan = make_plan()

    result = plan_import(actor=planner, plan=plan, data=data, filename="estructura.csv")

    assert result.created == 2
    e1 = Node.objects.get(plan=plan, code="E1")
    assert (e1.title, e1.weight, e1.term, e1.term_start, e1.term_end) == (
        "Gestión del agua y saneamiento",
        Decimal("0.5"),
        "short",
        2025,
        2026,
    )
    assert sorted(e1.units.values_list("code", flat=True)) == ["220101", "220102"]
    child = Node.objects.get(plan=plan, code="E1.1")
    assert (child.parent_id, child.weight, child.term, child.title) == (
        e1.pk,
        Decimal("1234.5"),
        "medium",
        "Protección de cabeceras de cuenca",
    )


def test_utf8_with_bom_and_commas_and_english_headers_imports(make_plan, planner):
    data = b"\xef\xbb\xbf" + csv_bytes(
        "Code,Level,Title,Parent code,Weight,Term,Term start,Term end,Description",
        'A,Eje estratégico,"Agua, saneamiento",,"0,25",short,2025,2030,"Línea 1\nLínea 2"',
        "A.1,2,Ñandú,A,0.75,long,,,",
    )
    plan = make_plan()

    plan_import(actor=planner, plan=plan, data=data, filename="plan.csv")

    a = Node.objects.get(plan=plan, code="A")
    assert (a.title, a.weight, a.term, a.description) == (
        "Agua, saneamiento",
        Decimal("0.25"),
        "short",
        "Línea 1\nLínea 2",
    )
    assert Node.objects.get(plan=plan, code="A.1").level.name == "Objetivo estratégico"


def test_tab_separated_file_without_level_or_order_columns_imports_in_file_order(make_plan, planner):
    data = csv_bytes("codigo\ttitulo\tcodigo_padre", "B\tSegundo eje\t", "A\tPrimer eje\t", "B.1\tHijo\tB")
    plan = make_plan()

    plan_import(actor=planner, plan=plan, data=data, filename="plan.tsv")

    assert [r["codigo"] for r in plan_export_rows(plan=plan)] == ["B", "B.1", "A"]
    assert Node.objects.get(plan=plan, code="B.1").level.depth == 2


def test_json_nested_children_are_flattened(make_plan, planner):
    data = orjson.dumps([{"code": "X", "title": "Eje X", "children": [{"code": "X.1", "title": "Objetivo"}]}])
    plan = make_plan()

    plan_import(actor=planner, plan=plan, data=data, filename="arbol.json")

    assert Node.objects.get(plan=plan, code="X.1").parent.code == "X"


def test_xlsx_without_a_nodos_sheet_uses_the_first_sheet(make_plan, planner):
    wb = Workbook()
    ws = wb.active
    ws.title = "Hoja1"
    ws.append(["Código", "Título", "Peso"])
    ws.append([1, "Eje numérico", 0.5])
    ws.append(["1.1", "Hijo", None])
    out = io.BytesIO()
    wb.save(out)
    plan = make_plan()

    parsed = plan_import_parse(data=out.getvalue(), filename="libro.xlsx")
    plan_import(actor=planner, plan=plan, data=out.getvalue(), filename="libro.xlsx")

    assert parsed.format == "xlsx" and [r.row for r in parsed.rows] == [2, 3]
    assert Node.objects.get(plan=plan, code="1").weight == Decimal("0.5")
    assert Node.objects.get(plan=plan, code="1.1").weight == Decimal("1")


# --- row errors ----------------------------------------------------------------------------------------


def test_every_row_error_is_reported_in_spanish(make_plan, planner, units):
    data = csv_bytes(
        HEADER,
        "E1;Eje estratégico;Eje uno;;1;;;;",
        ";Eje estratégico;Sin código;;1;;;;",
        "E2;Eje estratégico;;;1;;;;",
        "E1;Eje estratégico;Repetido;;1;;;;",
        "O1;Objetivo estratégico;Huérfano;NOEXISTE;1;;;;",
        "O2;Nivel inventado;Nivel raro;E1;1;;;;",
        "O3;Programa;Otra profundidad;E1;1;;;;",
        "O4;Objetivo estratégico;Peso malo;E1;abc;;;;",
        "O5;Objetivo estratégico;Peso negativo;E1;-0,5;;;;",
        "O6;Objetivo estratégico;Plazo raro;E1;1;eterno;;;",
        "O7;Objetivo estratégico;Año malo;E1;1;;dos mil;;",
        "O8;Objetivo estratégico;Años invertidos;E1;1;;2030;2025;",
        "O9;Objetivo estratégico;Ámbito desconocido;E1;1;;;;999999",
    )
    plan = make_plan()

    with pytest.raises(PlanImportError) as exc:
        plan_import(actor=planner, plan=plan, data=data, filename="errores.csv")

    assert messages(exc.value) == [
        "Fila 3: falta el código.",
        "Fila 4: falta el título.",
        "Fila 5: el código E1 está repetido (ya aparece en la fila 2).",
        "Fila 6: el código padre NOEXISTE no está ni en el archivo ni en el plan.",
        "Fila 7: el nivel «Nivel inventado» no existe en este plan; los niveles son: Eje estratégico, "
        "Objetivo estratégico, Programa, Proyecto / acción.",
        "Fila 8: el nivel «Programa» no corresponde: bajo E1 el nodo debe ser «Objetivo estratégico».",
        "Fila 9, peso: «abc» no es un número.",
        "Fila 10: el peso -0,5 es negativo; debe ser cero o mayor.",
        "Fila 11: el plazo «eterno» no es válido; use corto, mediano o largo.",
        "Fila 12: «dos mil» no es un año (un número entero como 2030).",
        "Fila 13: el año de inicio 2030 es posterior al año de fin 2025.",
        "Fila 14: no existe ninguna unidad territorial con el código 999999 en PE.",
    ]
    assert [(e.row, e.column) for e in exc.value.errors][:3] == [(3, "codigo"), (4, "titulo"), (5, "codigo")]
    assert not Node.objects.filter(plan=plan).exists()


def test_a_root_node_with_a_deeper_level_is_reported(make_plan, planner):
    data = csv_bytes("codigo;nivel;titulo", "P;Programa;Programa suelto")

    with pytest.raises(PlanImportError) as exc:
        plan_import(actor=planner, plan=make_plan(), data=data, filename="x.csv")

    assert messages(exc.value) == [
        "Fila 2: el nivel «Programa» no corresponde: un nodo sin padre debe ser «Eje estratégico»."
    ]


def test_a_cycle_of_parents_is_reported_on_every_row_in_it(make_plan, planner):
    data = csv_bytes(
        "codigo;titulo;codigo_padre",
        "A;Nodo A;B",
        "B;Nodo B;A",
        "C;Nodo C;C",
        "D;Debajo del ciclo;A",
        "E;Sano;",
    )

    with pytest.raises(PlanImportError) as exc:
        plan_import(actor=planner, plan=make_plan(), data=data, filename="ciclo.csv")

    assert messages(exc.value) == [
        "Fila 2: el código A está dentro de un ciclo de padres (A → B → A); un nodo no puede ser su propio ancestro.",
        "Fila 3: el código B está dentro de un ciclo de padres (A → B → A); un nodo no puede ser su propio ancestro.",
        "Fila 4: el código C está dentro de un ciclo de padres (C → C); un nodo no puede ser su propio ancestro.",
    ]


def test_a_cycle_through_existing_nodes_is_reported(make_plan, planner):
    plan = make_plan()
    a = node_create(actor=planner, plan=plan, parent=None, code="A", title="A")
    node_create(actor=planner, plan=plan, parent=a, code="A.1", title="A.1")
    data = csv_bytes("codigo;codigo_padre", "A;A.1")

    with pytest.raises(PlanImportError) as exc:
        plan_import(actor=planner, plan=plan, data=data, filename="ciclo.csv")

    assert exc.value.errors[0].row == 2 and "ciclo" in exc.value.errors[0].message


def test_a_file_with_errors_writes_nothing(make_plan, planner):
    plan = make_plan()
    node_create(actor=planner, plan=plan, parent=None, code="E1", title="Existente")
    nodes_before, events_before = Node.objects.count(), AuditEvent.objects.count()
    data = csv_bytes("codigo;titulo;codigo_padre;peso", "E1;Nuevo título;;1", "N1;Nuevo;E1;1", "N2;Malo;E1;x")

    with pytest.raises(PlanImportError):
        plan_import(actor=planner, plan=plan, data=data, filename="x.csv")

    assert (Node.objects.count(), AuditEvent.objects.count()) == (nodes_before, events_before)
    assert Node.objects.get(plan=plan, code="E1").title == "Existente"


def test_a_failure_while_writing_rolls_everything_back(make_plan, planner, monkeypatch):
    plan = make_plan()
    data = csv_bytes("codigo;titulo;codigo_padre", "A;Eje;", "A.1;Objetivo;A")
    import_plan = plan_import_validate(plan=plan, parsed=plan_import_parse(data=data, filename="x.csv"))

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disco lleno")

    monkeypatch.setattr("rumbo.core.tabular.jobs.audit_record", boom)  # the very last write
    with pytest.raises(RuntimeError):
        plan_import_apply(actor=planner, plan=plan, import_plan=import_plan)

    assert not Node.objects.filter(plan=plan).exists()


# --- upsert ---------------------------------------------------------------------------------------------


def test_existing_codes_are_updated_new_ones_created_and_the_rest_left_alone(make_plan, planner, units):
    plan = make_plan()
    e1 = node_create(actor=planner, plan=plan, parent=None, code="E1", title="Título viejo", weight=1)
    node_create(actor=planner, plan=plan, parent=e1, code="E1.1", title="Sin cambios")
    node_create(actor=planner, plan=plan, parent=None, code="E9", title="No está en el archivo")
    data = csv_bytes(
        "codigo;titulo;codigo_padre;peso;ambito",
        "E1;Título nuevo;;0,5;220105",
        "E1.1;Sin cambios;E1;1;",
        "E1.2;Nuevo objetivo;E1;1;",
    )

    result = plan_import(actor=planner, plan=plan, data=data, filename="cambios.csv")

    assert (result.created, result.updated, result.unchanged, result.untouched) == (1, 1, 1, 1)
    e1.refresh_from_db()
    assert (e1.title, e1.weight) == ("Título nuevo", Decimal("0.5"))
    assert list(e1.units.values_list("code", flat=True)) == ["220105"]
    new = Node.objects.get(plan=plan, code="E1.2")
    assert (new.parent_id, new.position, new.path) == (e1.pk, 1, f"{e1.path}{new.pk}/")
    update_event = AuditEvent.objects.get(action=AuditAction.UPDATED, target_id=str(e1.pk))
    assert update_event.changes["title"] == ["Título viejo", "Título nuevo"]
    assert update_event.changes["units"] == [[], [units["220105"].pk]]
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED, target_id=str(new.pk), scope_id=plan.pk
    ).exists()
    summary = AuditEvent.objects.get(action=AuditAction.IMPORTED)
    assert summary.scope_id == plan.pk and "creados: 1" in summary.message


def test_changing_a_parent_moves_the_whole_subtree(make_plan, planner):
    plan = make_plan()
    a = node_create(actor=planner, plan=plan, parent=None, code="A", title="A")
    b = node_create(actor=planner, plan=plan, parent=None, code="B", title="B")
    b1 = node_create(actor=planner, plan=plan, parent=b, code="B.1", title="B.1")
    node_create(actor=planner, plan=plan, parent=b1, code="B.1.1", title="B.1.1")
    data = csv_bytes("codigo;codigo_padre", "B;A")

    result = plan_import(actor=planner, plan=plan, data=data, filename="mover.csv")

    assert result.updated == 1
    assert_paths_consistent(plan)
    deep = Node.objects.get(plan=plan, code="B.1.1")
    assert (deep.depth, deep.path) == (4, f"/{a.pk}/{b.pk}/{b1.pk}/{deep.pk}/")
    assert deep.level.name == "Proyecto / acción"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(make_plan, planner, units):
    source = make_plan()
    build_tree(source, planner, units)
    data = plan_export_xlsx(plan=source)
    target = make_plan(name="Destino")
    plan_import(actor=planner, plan=target, data=data, filename="x.xlsx")
    events = AuditEvent.objects.count()

    result = plan_import(actor=planner, plan=target, data=data, filename="x.xlsx")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 9)
    assert AuditEvent.objects.count() == events + 1  # only the "imported" summary


# --- files that are refused --------------------------------------------------------------------------


def test_an_oversized_file_is_refused_before_reading(settings):
    settings.RUMBO_UPLOAD_MAX_BYTES = 100

    with pytest.raises(PlanImportError) as exc:
        plan_import_parse(data=b"codigo;titulo\r\n" + b"x;y\r\n" * 50, filename="grande.csv")

    assert "demasiado grande" in exc.value.errors[0].message and exc.value.errors[0].row == 0


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        ("codigo;titulo\r\nA;Á\r\n".encode("utf-16"), "plan.csv", "UTF-16"),
        (random.Random(7).randbytes(3000), "plan.csv", "no es una hoja de cálculo"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "plan.xls", "Excel antiguo"),
        (b"PK\x03\x04garbage", "plan.xlsx", "dañado"),
        (b"{nope", "plan.json", "JSON"),
        (b"nombre;peso\r\nA;1\r\n", "plan.csv", "codigo"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, filename, expected):
    with pytest.raises(PlanImportError) as exc:
        parsed = plan_import_parse(data=data, filename=filename)
        if parsed.errors:
            raise PlanImportError(parsed.errors)

    assert expected in exc.value.errors[0].message


# --- permissions and jobs ---------------------------------------------------------------------------------


def test_an_observer_may_not_import(make_plan, observer):
    plan = make_plan()
    data = csv_bytes("codigo;titulo", "A;Eje")

    with pytest.raises(PermissionDenied):
        plan_import(actor=observer, plan=plan, data=data, filename="x.csv")
    with pytest.raises(PermissionDenied):
        plan_import_start(actor=observer, plan=plan, uploaded_file=SimpleUploadedFile("x.csv", data))

    assert not Job.objects.exists() and not Node.objects.filter(plan=plan).exists()


def test_the_import_job_succeeds_with_counts(
    make_plan, planner, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    plan = make_plan()
    data = csv_bytes("codigo;titulo;codigo_padre", "A;Eje;", "A.1;Objetivo;A")

    with django_capture_on_commit_callbacks(execute=True):
        job = plan_import_start(actor=planner, plan=plan, uploaded_file=SimpleUploadedFile("arbol.csv", data))

    job.refresh_from_db()
    assert (job.kind, job.entity_id, job.status) == ("plan_import", plan.entity_id, JobStatus.SUCCEEDED)
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "untouched": 0}
    assert job.message.startswith("Se importó arbol.csv")
    assert Node.objects.filter(plan=plan).count() == 2


def test_the_import_job_fails_with_row_errors_and_writes_nothing(
    make_plan, planner, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    plan = make_plan()
    data = csv_bytes("codigo;titulo;peso", "A;Eje;1", "B;;1", "C;Otro;mucho")

    with django_capture_on_commit_callbacks(execute=True):
        job = plan_import_start(actor=planner, plan=plan, uploaded_file=SimpleUploadedFile("arbol.csv", data))

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "El archivo tiene 2 errores; no se importó nada."
    assert job.errors == [
        {"row": 3, "column": "titulo", "message": "Fila 3: falta el título."},
        {"row": 4, "column": "peso", "message": "Fila 4, peso: «mucho» no es un número."},
    ]
    assert not Node.objects.filter(plan=plan).exists()


def test_an_oversized_upload_creates_no_job(make_plan, planner, settings):
    settings.RUMBO_UPLOAD_MAX_BYTES = 10

    with pytest.raises(ValidationError) as refused:
        plan_import_start(
            actor=planner, plan=make_plan(), uploaded_file=SimpleUploadedFile("x.csv", b"x" * 11)
        )
    assert "demasiado grande" in refused.value.messages[0]

    assert not Job.objects.exists()


# --- scale ---------------------------------------------------------------------------------------------------


def generated_csv(count: int) -> bytes:
    """`count` rows in four levels: axes of 5 objectives of 4 programmes of 4 projects."""
    lines = ["codigo;titulo;codigo_padre;peso;ambito"]

    def add(code: str, parent: str) -> None:
        lines.append(f"{code};Nodo {code};{parent};0,5;220101")

    axis = 0
    while len(lines) <= count:
        a = f"E{axis}"
        add(a, "")
        for o in range(5):
            add(f"{a}.{o}", a)
            for p in range(4):
                add(f"{a}.{o}.{p}", f"{a}.{o}")
                for j in range(4):
                    add(f"{a}.{o}.{p}.{j}", f"{a}.{o}.{p}")
        axis += 1
    return csv_bytes(*lines[: count + 1])


def test_import_query_count_does_not_grow_with_rows(make_plan, planner, units, django_assert_max_num_queries):
    """One statement per depth and per table, whatever the number of rows (24 on SQLite)."""
    small, large = make_plan(name="Pequeño"), make_plan(name="Grande")
    with CaptureQueriesContext(connection) as small_queries:
        plan_import(actor=planner, plan=small, data=generated_csv(200), filename="chico.csv")

    with django_assert_max_num_queries(len(small_queries)):
        result = plan_import(actor=planner, plan=large, data=generated_csv(2000), filename="grande.csv")

    assert len(small_queries) <= 30
    assert result.created == 2000
    assert_paths_consistent(large)


def test_orden_column_sets_positions_among_siblings(make_plan, planner):
    data = csv_bytes("codigo;titulo;codigo_padre;orden", "A;Eje A;;2", "B;Eje B;;1", "A.1;Hijo;A;1")
    plan = make_plan()

    plan_import(actor=planner, plan=plan, data=data, filename="orden.csv")

    assert [r["codigo"] for r in plan_export_rows(plan=plan)] == ["B", "A", "A.1"]
    assert Node.objects.get(plan=plan, code="A").position == 1


def test_a_tree_changed_between_validation_and_writing_is_validated_again(make_plan, planner):
    plan = make_plan()
    data = csv_bytes("codigo;titulo", "N1;Nuevo eje")
    import_plan = plan_import_validate(plan=plan, parsed=plan_import_parse(data=data, filename="x.csv"))
    node_create(actor=planner, plan=plan, parent=None, code="N1", title="Creado por otra persona")

    result = plan_import_apply(actor=planner, plan=plan, import_plan=import_plan)

    assert (result.created, result.updated) == (0, 1)
    assert Node.objects.get(plan=plan, code="N1").title == "Nuevo eje"
