from django.urls import path

from rumbo.investments.programming import views

P = "planes-inversion/<int:investment_plan_id>/"

urlpatterns = [
    path("proyectos/<int:project_id>/programar/", views.program_project, name="program_project"),
    path("entidades/<int:entity_id>/planes-inversion/", views.investment_plans, name="investment_plans"),
    path(
        "entidades/<int:entity_id>/planes-inversion/nuevo/",
        views.investment_plan_create,
        name="investment_plan_create",
    ),
    path("entidades/<int:entity_id>/techos/", views.funding_ceilings, name="funding_ceilings"),
    path(P, views.investment_plan_detail, name="investment_plan_detail"),
    path(P + "editar/", views.investment_plan_edit, name="investment_plan_edit"),
    path(P + "lineas/nueva/", views.line_add, name="investment_line_add"),
    path("lineas-inversion/<int:line_id>/editar/", views.line_edit, name="investment_line_edit"),
    path("lineas-inversion/<int:line_id>/quitar/", views.line_remove, name="investment_line_remove"),
    path(P + "aprobar/", views.investment_plan_approve, name="investment_plan_approve"),
    path(P + "publicar/", views.investment_plan_publish, name="investment_plan_publish"),
    path(P + "copiar/", views.investment_plan_copy, name="investment_plan_copy"),
    path(P + "plurianual/", views.investment_plan_multiyear, name="investment_plan_multiyear"),
    path(P + "resumen/", views.investment_plan_summary, name="investment_plan_summary"),
    path(P + "simular/", views.investment_plan_what_if, name="investment_plan_what_if"),
    path(P + "documentos/", views.investment_plan_documents, name="investment_plan_documents"),
    path(
        P + "documentos/<int:job_id>.<str:fmt>",
        views.investment_plan_document,
        name="investment_plan_document",
    ),
]
