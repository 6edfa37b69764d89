from django.urls import path

from rumbo.indicators.dashboard import views

urlpatterns = [
    path("planes/<int:plan_id>/tablero/", views.dashboard, name="dashboard"),
    path("planes/<int:plan_id>/nodos/<int:node_id>/", views.node_progress, name="node_progress"),
    path("planes/<int:plan_id>/territorios/", views.territory_view, name="territory_view"),
    path("indicadores/<int:indicator_id>/", views.indicator_detail, name="indicator_detail"),
]
