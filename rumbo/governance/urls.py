from django.urls import path

from rumbo.governance import plan_pages, views

app_name = "governance"

urlpatterns = [
    path("planes/<int:plan_id>/", views.plan_governance, name="plan"),
    path("planes/<int:plan_id>/organos/nuevo/", views.body_add, name="body_add"),
    path("planes/<int:plan_id>/acuerdos/", views.plan_agreements, name="agreements"),
    path("planes/<int:plan_id>/convenios/", plan_pages.convenios, name="convenios"),
    path("planes/<int:plan_id>/convenios/nuevo/", plan_pages.convenio_add, name="convenio_add"),
    path(
        "planes/<int:plan_id>/convenios/<int:convenio_id>/aportes/",
        plan_pages.contribution_set,
        name="contribution_set",
    ),
    path(
        "planes/<int:plan_id>/convenios/<int:convenio_id>/compromisos/",
        plan_pages.convenio_commitment,
        name="convenio_commitment",
    ),
    path(
        "planes/<int:plan_id>/convenios/<int:convenio_id>/partes/<int:party_id>/estado.<str:fmt>",
        plan_pages.party_statement,
        name="party_statement",
    ),
    path("planes/<int:plan_id>/difusion/", plan_pages.dissemination, name="dissemination"),
    path("planes/<int:plan_id>/difusion/nueva/", plan_pages.activity_add, name="activity_add"),
    path("planes/<int:plan_id>/difusion/<int:activity_id>/prueba/", plan_pages.proof_add, name="proof_add"),
    path("planes/<int:plan_id>/difusion/pruebas/<int:proof_id>/", plan_pages.proof_file, name="proof_file"),
    path("planes/<int:plan_id>/riesgos/", plan_pages.risks, name="risks"),
    path("planes/<int:plan_id>/riesgos/nuevo/", plan_pages.risk_add, name="risk_add"),
    path("planes/<int:plan_id>/riesgos/<int:risk_id>/revision/", plan_pages.risk_review, name="risk_review"),
    path("planes/<int:plan_id>/plan-de-accion/", plan_pages.actions, name="actions"),
    path("planes/<int:plan_id>/plan-de-accion/nueva/", plan_pages.action_add, name="action_add"),
    path(
        "planes/<int:plan_id>/plan-de-accion/<int:action_id>/estado/",
        plan_pages.action_status,
        name="action_status",
    ),
    path(
        "planes/<int:plan_id>/indicadores-generales/",
        plan_pages.general_indicators,
        name="general_indicators",
    ),
    path(
        "planes/<int:plan_id>/indicadores-generales/actualizar/",
        plan_pages.general_indicators_update,
        name="general_indicators_update",
    ),
    path("organos/<int:body_id>/", views.body_detail, name="body"),
    path("organos/<int:body_id>/miembros/nuevo/", views.member_add, name="member_add"),
    path("organos/<int:body_id>/reuniones/nueva/", views.meeting_add, name="meeting_add"),
    path("organos/<int:body_id>/reuniones.ics", views.body_calendar, name="body_calendar"),
    path("reuniones/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("reuniones/<int:meeting_id>/asistencia/", views.attendance_save, name="attendance"),
    path("reuniones/<int:meeting_id>/asistencia/lista/", views.attendance_list_file, name="attendance_list"),
    path("reuniones/<int:meeting_id>/acta/", views.minutes_save, name="minutes"),
    path("reuniones/<int:meeting_id>/acta/aprobar/", views.minutes_approve, name="minutes_approve"),
    path("reuniones/<int:meeting_id>/acta/observaciones/", views.minutes_remark, name="minutes_remark"),
    path("reuniones/<int:meeting_id>/acuerdos/nuevo/", views.agreement_add, name="agreement_add"),
    path("acuerdos/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("acuerdos/<int:agreement_id>/estado/", views.agreement_status, name="agreement_status"),
    path("acuerdos/<int:agreement_id>/seguimiento/", views.agreement_note, name="agreement_note"),
    path(
        "acuerdos/<int:agreement_id>/seguimiento/<int:note_id>/evidencia/",
        views.agreement_evidence,
        name="agreement_evidence",
    ),
    path("calendario/", views.my_calendar, name="my_calendar"),
    path("calendario/<str:token>.ics", views.person_calendar, name="person_calendar"),
]
