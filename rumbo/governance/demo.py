"""Governance demonstration data for the Moyobamba PAT (seed 001, chapter VI "Nuevo modelo de
gestión territorial"): the Comisión Provincial de Gestión del Territorio, the Instituto de
Planificación Urbana Provincial with its Asamblea de Municipalidades (the six mayors) and its
technical team, and the Comité de Gestión; two meetings of the Asamblea with approved minutes,
agreements (one overdue, one tied to a project of the bank), the convenio that funds the
institute with fixed and variable contributions of the six municipalities, the seed's risks and
success assumptions, a public presentation with its attendance list, and an action plan.

Everything goes through the services (validated and audited like real work). Names of people
are invented and labelled as demonstration data; dates are set around the day it is loaded, so
that one agreement is overdue and the rest are not.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from rumbo.governance import activity, services
from rumbo.governance.contributions import contribution_year_set, convenio_create
from rumbo.governance.models import (
    AttendanceStatus,
    Body,
    MemberRole,
    MemberSector,
    MinutesApproval,
    ProofKind,
    RiskKind,
)
from rumbo.indicators.sheets.services import catalogue_adopt
from rumbo.investments.models import FundingSource, Project
from rumbo.plans.models import LegalActType, Node, Plan
from rumbo.plans.services import legal_act_add

DISTRICT_NAMES = ("Calzada", "Habana", "Jepelacio", "Soritor", "Yantaló")
RISKS = (
    ("Que el alcalde provincial, alcaldes distritales, regidores y funcionarios no se involucren en la gestión del Plan.", 3, 5),
    ("Que no se cuente con la participación concertada y no sea sustentable.", 3, 4),
    ("Que el órgano operativo de asesoramiento intermunicipal quede aislado o por ineficacia no sea confiable.", 2, 4),
    ("Que el órgano de gestión y las propuestas del Plan se politicen.", 3, 4),
    ("Que domine la decisión política y no técnica en la ejecución de estos planes.", 3, 3),
)  # fmt: skip
ASSUMPTIONS = (
    "Voluntad política de los alcaldes y capacidad técnica para la concertación y gestión del Plan.",
    "Empoderamiento del Plan por parte de los alcaldes y sus instituciones, además de la población en general.",
    "Participación efectiva de la sociedad organizada y capacitada en las decisiones y acciones de gestión del Plan.",
    "Que se organicen e implementen las oficinas de ordenamiento territorial y desarrollo urbano en los gobiernos locales.",
    "Financiamiento y ejecución de proyectos estratégicos priorizados.",
)


def _attendance_pdf() -> SimpleUploadedFile:
    """A small real PDF standing for a signed list (one page, one line of text)."""
    text = b"Lista de asistencia firmada (demostracion)"
    stream = b"BT /F1 14 Tf 60 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return SimpleUploadedFile("lista-de-asistencia.pdf", bytes(out), content_type="application/pdf")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def governance_demo_load(*, actor: Any, plan: Plan | None) -> bool:
    """Create the governance demo on the demo PAT once (False when it exists or the plan is missing)."""
    if plan is None or Body.objects.filter(plan=plan).exists():
        return False
    entity = plan.entity
    today = timezone.localdate()
    nodes = {n.code: n for n in Node.objects.filter(plan=plan)}
    with transaction.atomic():
        act = legal_act_add(
            actor=actor, plan=plan, act_type=LegalActType.ORDINANCE, number="015-2025-MPM", date=datetime.date(2025, 6, 12),
            issuer="Concejo Provincial de Moyobamba",
            summary="Crea la Comisión Provincial de Gestión del Territorio y el Instituto de Planificación Urbana Provincial.",
        )  # fmt: skip
        installed = datetime.date(2025, 7, 1)
        commission = services.body_create(
            actor=actor, entity=entity, plan=plan, kind="commission", name="Comisión Provincial de Gestión del Territorio",
            purpose="Organismo deliberativo que encabeza el modelo de gestión: visión compartida y acción concertada de "
            "la Municipalidad Provincial y las municipalidades distritales.",
            legal_act=act, installed_on=installed,
        )  # fmt: skip
        institute = services.body_create(
            actor=actor, entity=entity, plan=plan, kind="institute", name="Instituto de Planificación Urbana Provincial",
            purpose="Soporte técnico de la Comisión para la gestión planificada y concertada del territorio.",
            legal_act=act, installed_on=installed, quorum_rule="none",
        )  # fmt: skip
        assembly = services.body_create(
            actor=actor, entity=entity, plan=plan, kind="assembly", name="Asamblea de Municipalidades",
            purpose="Órgano máximo del Instituto: los seis alcaldes.", parent=institute, legal_act=act,
            installed_on=installed,
        )  # fmt: skip
        team = services.body_create(
            actor=actor, entity=entity, plan=plan, kind="technical_team", name="Equipo técnico del Instituto",
            parent=institute, quorum_rule="none", installed_on=installed,
        )  # fmt: skip
        committee = services.body_create(
            actor=actor, entity=entity, plan=plan, kind="management_committee", name="Comité de Gestión",
            purpose="Participación institucionalizada del sector público y privado y la sociedad civil; vigila el "
            "cumplimiento del Plan.",
        )  # fmt: skip
        joined = installed
        mayors = [
            services.member_add(
                actor=actor,
                body=assembly,
                name="Alcalde Provincial (demostración)",
                organisation="Municipalidad Provincial de Moyobamba",
                represents="Moyobamba",
                role=MemberRole.PRESIDENT,
                joined_on=joined,
            )
        ]
        for name in DISTRICT_NAMES:
            mayors.append(
                services.member_add(
                    actor=actor,
                    body=assembly,
                    name=f"Alcalde de {name} (demostración)",
                    organisation=f"Municipalidad Distrital de {name}",
                    represents=name,
                    joined_on=joined,
                    email=f"alcaldia.{name[:4].lower()}@demo.example",
                    phone="042 000 000",
                )
            )
        secretary = services.member_add(
            actor=actor, body=assembly, name="Jefa del Instituto (demostración)", organisation="Instituto de Planificación",
            role=MemberRole.TECHNICAL_SECRETARY, joined_on=joined,
        )  # fmt: skip
        for m in mayors:
            services.member_add(actor=actor, body=commission, name=m.name, organisation=m.organisation,
                                represents=m.represents, role=m.role, joined_on=joined)  # fmt: skip
        for name, role in (
            ("Arquitecta urbanista (demostración)", MemberRole.MEMBER),
            ("Especialista SIG (demostración)", MemberRole.MEMBER),
        ):
            services.member_add(actor=actor, body=team, name=name, organisation="Instituto de Planificación", role=role,
                                joined_on=joined)  # fmt: skip
        for name, org, sector in (
            (
                "Representante de rondas campesinas (demostración)",
                "Central de Rondas Campesinas",
                MemberSector.CIVIL_SOCIETY,
            ),
            ("Decano regional (demostración)", "Colegio de Arquitectos", MemberSector.PROFESSIONAL),
            ("Docente (demostración)", "Universidad Nacional de San Martín", MemberSector.ACADEMIA),
            (
                "Representante empresarial (demostración)",
                "Cámara de Comercio de Moyobamba",
                MemberSector.PRIVATE,
            ),
        ):
            services.member_add(actor=actor, body=committee, name=name, organisation=org, sector=sector, joined_on=joined,
                                email="comite@demo.example")  # fmt: skip

        # two meetings of the Asamblea: the first's minutes approved at the second
        first_day, second_day = today - datetime.timedelta(days=75), today - datetime.timedelta(days=20)
        first = services.meeting_convene(
            actor=actor, body=assembly, title="Sesión de instalación", starts_at=_at(first_day, 10), ends_at=_at(first_day, 13),
            place="Auditorio de la Municipalidad Provincial", agenda="1. Instalación.\n2. Reglamento interno.\n3. Aportes.",
        )  # fmt: skip
        second = services.meeting_convene(
            actor=actor, body=assembly, title="Primera sesión ordinaria", starts_at=_at(second_day, 10),
            ends_at=_at(second_day, 12), place="Instituto de Planificación", agenda="1. Aprobación del acta.\n2. Avance.",
        )  # fmt: skip
        seats = [*mayors, secretary]
        services.meeting_attendance_record(
            actor=actor,
            meeting=first,
            marks={m.pk: AttendanceStatus.PRESENT for m in seats},
            attendance_list=_attendance_pdf(),
        )
        services.meeting_attendance_record(
            actor=actor, meeting=second,
            marks={m.pk: AttendanceStatus.EXCUSED if m.represents == "Habana" else AttendanceStatus.PRESENT for m in seats},
        )  # fmt: skip
        minutes = services.minutes_save(
            actor=actor, meeting=first,
            text="Se instaló la Asamblea de Municipalidades con la presencia de los seis alcaldes. Se acordó elaborar el "
            "reglamento interno, fijar los aportes de cada municipalidad y priorizar el estudio de la vía vecinal.",
        )  # fmt: skip
        services.minutes_approve(
            actor=actor, minutes=minutes, approval=MinutesApproval.AT_MEETING, approved_in=second
        )
        second_minutes = services.minutes_save(
            actor=actor,
            meeting=second,
            text="Se aprobó el acta anterior. El equipo técnico informó el avance del reglamento.",
        )
        # the second meeting's minutes wait for the next session: circulated, not approved
        services.minutes_circulate(actor=actor, minutes=second_minutes)

        project = Project.objects.filter(entity=entity).order_by("code").first()
        axis = next(iter(sorted(nodes.values(), key=lambda n: n.path)), None)
        services.agreement_create(
            actor=actor, meeting=first, text="Elaborar y presentar el reglamento interno del Instituto.",
            owner_member=secretary, due_date=today - datetime.timedelta(days=10), node_ids=[axis.pk] if axis else [],
        )  # fmt: skip
        tied = services.agreement_create(
            actor=actor, meeting=first, text="Gestionar el expediente técnico del proyecto priorizado por la Comisión.",
            owner_office="Gerencia de Infraestructura", due_date=today + datetime.timedelta(days=60),
            project_ids=[project.pk] if project else [], node_ids=[axis.pk] if axis else [],
        )  # fmt: skip
        services.agreement_status_set(
            actor=actor, agreement=tied, status="in_progress", note="Términos de referencia en revisión."
        )
        done = services.agreement_create(
            actor=actor, meeting=second, text="Publicar el acta de instalación en el portal municipal.",
            owner_member=secretary, due_date=today - datetime.timedelta(days=5),
        )  # fmt: skip
        services.agreement_status_set(
            actor=actor, agreement=done, status="done", done_on=today - datetime.timedelta(days=7)
        )

        # the convenio that funds the institute
        convenio = convenio_create(
            actor=actor, entity=entity, plan=plan, body=institute, number="CONV-001-2025",
            title="Convenio de cooperación interinstitucional para el funcionamiento del Instituto de Planificación",
            purpose="Las seis municipalidades financian el Instituto: aportes fijos (sueldos y logística del equipo técnico) "
            "y variables (estudios de preinversión y obras).",
            signed_on=datetime.date(2025, 6, 20), starts_on=datetime.date(2025, 7, 1), ends_on=datetime.date(2028, 12, 31),
            parties=[{"name": "Municipalidad Provincial de Moyobamba", "entity": entity, "role": "Promotora"},
                     *({"name": f"Municipalidad Distrital de {n}", "role": "Aportante"} for n in DISTRICT_NAMES)],
        )  # fmt: skip
        services.agreement_create(
            actor=actor,
            convenio=convenio,
            text="Transferir cada trimestre el aporte fijo al Instituto para el equipo técnico.",
            owner_office="Gerencias de Administración de las seis municipalidades",
            due_date=today + datetime.timedelta(days=25),
        )
        own = FundingSource.objects.filter(country__in=("XX", entity.country), code="own").first()
        shares = {"Municipalidad Provincial de Moyobamba": (Decimal(60000), Decimal(40000))}
        for party in convenio.parties.all():
            fixed, variable = shares.get(party.name, (Decimal(12000), Decimal(8000)))
            for year in (2025, 2026):
                paid = fixed if year == 2025 else fixed / 2
                contribution_year_set(
                    actor=actor, party=party, year=year, fixed=fixed, variable=variable, total=fixed + variable,
                    fixed_paid=paid, variable_paid=variable / 2 if year == 2025 else 0, source=own,
                    concept="Aporte al Instituto de Planificación",
                )  # fmt: skip

        for text, likelihood, impact in RISKS:
            activity.risk_create(actor=actor, plan=plan, description=text, likelihood=likelihood, impact=impact,
                                 owner="Comisión Provincial de Gestión del Territorio",
                                 review_on=today + datetime.timedelta(days=90))  # fmt: skip
        for text in ASSUMPTIONS:
            activity.risk_create(actor=actor, plan=plan, kind=RiskKind.ASSUMPTION, description=text, likelihood=3,
                                 impact=4, owner="Instituto de Planificación")  # fmt: skip

        presentation = activity.activity_create(
            actor=actor, plan=plan, kind="presentation", title="Presentación pública del PAT", held_on=first_day,
            audience="general", place="Plaza de Armas de Moyobamba", attendees=240,
        )  # fmt: skip
        activity.proof_add(
            actor=actor, activity=presentation, kind=ProofKind.ATTENDANCE_LIST, upload=_attendance_pdf()
        )

        for title, responsible, start, end in (
            (
                "Aprobar el reglamento interno del Instituto",
                "Asamblea de Municipalidades",
                first_day,
                today - datetime.timedelta(days=10),
            ),
            (
                "Conformar el Comité de Gestión",
                "Comisión Provincial",
                first_day,
                today + datetime.timedelta(days=30),
            ),
            (
                "Talleres de difusión en colegios y universidades",
                "Equipo técnico",
                today,
                today + datetime.timedelta(days=120),
            ),
        ):
            activity.action_create(actor=actor, plan=plan, title=title, responsible=responsible, starts_on=start, ends_on=end,
                                   node=axis)  # fmt: skip

        catalogue_adopt(actor=actor, plan=plan, keys=["INS-04", "CON-03", "DIF-01", "DIF-05"])
    return True
