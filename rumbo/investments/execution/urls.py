from django.urls import path

from rumbo.investments.execution import views

urlpatterns = [
    path("proyectos/<int:project_id>/ejecucion/", views.project_execution, name="project_execution"),
    path("proyectos/<int:project_id>/ejecucion/registrar/", views.execution_record, name="execution_record"),
    path("proyectos/<int:project_id>/ejecucion/hitos/", views.milestone_add, name="milestone_add"),
    path(
        "proyectos/<int:project_id>/ejecucion/hitos/<int:milestone_id>/cumplido/",
        views.milestone_done,
        name="milestone_done",
    ),
    path("proyectos/<int:project_id>/ejecucion/contratos/", views.contract_add, name="contract_add"),
    path("proyectos/<int:project_id>/ejecucion/evidencias/", views.evidence_upload, name="evidence_upload"),
    path("evidencias-ejecucion/<int:evidence_id>/", views.evidence_file, name="execution_evidence_file"),
    path("entidades/<int:entity_id>/ejecucion/importar/", views.execution_import, name="execution_import"),
    path(
        "entidades/<int:entity_id>/ejecucion/importar/<int:job_id>/",
        views.execution_import_map,
        name="execution_import_map",
    ),
    path("entidades/<int:entity_id>/mapa/", views.project_map, name="map"),
    path("entidades/<int:entity_id>/mapa.geojson", views.map_geojson, name="map_geojson"),
]
