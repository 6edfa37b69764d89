from django.urls import URLPattern, path

from rumbo.indicators.sheets import views

urlpatterns: list[URLPattern] = [
    path("planes/<int:plan_id>/indicadores/", views.indicator_list, name="indicator_list"),
    path("planes/<int:plan_id>/indicadores/nuevo/", views.indicator_new, name="indicator_new"),
    path("planes/<int:plan_id>/catalogo/", views.catalogue, name="catalogue"),
    path("planes/<int:plan_id>/alertas/", views.alerts, name="alerts"),
    path("planes/<int:plan_id>/calendario/", views.reporting_calendar, name="reporting_calendar"),
    path("planes/<int:plan_id>/acciones/", views.corrective_actions, name="corrective_actions"),
    path("acciones/<int:action_id>/editar/", views.corrective_action_edit, name="corrective_action_edit"),
    path(
        "acciones/<int:action_id>/seguimiento/",
        views.corrective_action_follow_up,
        name="corrective_action_follow_up",
    ),
    path("indicadores/<int:indicator_id>/ficha/", views.indicator_sheet, name="indicator_sheet"),
    path("indicadores/<int:indicator_id>/editar/", views.indicator_edit, name="indicator_edit"),
    path("entidades/<int:entity_id>/variables/", views.variables, name="variables"),
    path("nodos/<int:node_id>/avance/", views.project_progress, name="project_progress"),
]
