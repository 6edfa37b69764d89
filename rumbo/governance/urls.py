from django.urls import path

from rumbo.governance import views

app_name = "governance"

urlpatterns = [
    path("planes/<int:plan_id>/", views.plan_governance, name="plan"),
    path("planes/<int:plan_id>/organos/nuevo/", views.body_add, name="body_add"),
    path("planes/<int:plan_id>/acuerdos/", views.plan_agreements, name="agreements"),
    path("organos/<int:body_id>/", views.body_detail, name="body"),
    path("organos/<int:body_id>/miembros/nuevo/", views.member_add, name="member_add"),
    path("organos/<int:body_id>/reuniones/nueva/", views.meeting_add, name="meeting_add"),
    path("organos/<int:body_id>/reuniones.ics", views.body_calendar, name="body_calendar"),
    path("reuniones/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("reuniones/<int:meeting_id>/asistencia/", views.attendance_save, name="attendance"),
    path("reuniones/<int:meeting_id>/asistencia/lista/", views.attendance_list_file, name="attendance_list"),
    path("reuniones/<int:meeting_id>/acta/", views.minutes_save, name="minutes"),
    path("reuniones/<int:meeting_id>/acta/aprobar/", views.minutes_approve, name="minutes_approve"),
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
