from django.urls import path

from rumbo.indicators.measurements import views

urlpatterns = [
    path("indicadores/<int:indicator_id>/mediciones/nueva/", views.measurement_new, name="measurement_new"),
    path("mediciones/<int:measurement_id>/", views.measurement_detail, name="measurement_detail"),
    path("planes/<int:plan_id>/aprobaciones/", views.approval_queue, name="approval_queue"),
    path("planes/<int:plan_id>/mediciones/", views.measurement_list, name="measurement_list"),
    path("planes/<int:plan_id>/importar-mediciones/", views.measurement_import, name="measurement_import"),
    path("evidencias/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
]
