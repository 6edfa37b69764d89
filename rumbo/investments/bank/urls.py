from django.urls import path

from rumbo.investments.bank import views

urlpatterns = [
    path("banco/", views.bank, name="bank"),
    path("proyectos/<int:project_id>/", views.project_detail, name="project_detail"),
    path("proyectos/<int:project_id>/editar/", views.project_edit, name="project_edit"),
    path("proyectos/<int:project_id>/revisar/", views.project_review, name="project_review"),
    path("proyectos/<int:project_id>/elegibilidad/", views.project_eligibility, name="project_eligibility"),
    path("proyectos/<int:project_id>/etapa/", views.project_stage_advance, name="project_stage_advance"),
    path("proyectos/<int:project_id>/viabilidad/<slug:key>/", views.viability_item, name="viability_item"),
    path(
        "proyectos/<int:project_id>/viabilidad/<slug:key>/documento/",
        views.viability_document,
        name="viability_document",
    ),
    path("entidades/<int:entity_id>/", views.entity_home, name="entity_home"),
    path("entidades/<int:entity_id>/proyectos/nuevo/", views.project_new, name="project_new"),
    path("entidades/<int:entity_id>/moderacion/", views.moderation, name="moderation"),
    path("entidades/<int:entity_id>/zonificacion/", views.zoning, name="zoning"),
    path("entidades/<int:entity_id>/zonificacion/reverificar/", views.zoning_recheck, name="zoning_recheck"),
    path("zonificacion/reglas/<int:rule_id>/eliminar/", views.zoning_rule_delete, name="zoning_rule_delete"),
    path("proponer/", views.initiative_new, name="initiative_new"),
    path(
        "entidades/<int:entity_id>/proponer/",
        views.initiative_new_for_entity,
        name="initiative_new_for_entity",
    ),
    path("seguimiento/<str:tracking_code>/", views.initiative_tracking, name="initiative_tracking"),
]
