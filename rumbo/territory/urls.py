from django.urls import path

from rumbo.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<int:unit_id>/", views.unit_detail, name="unit"),
    path("entidades/<int:entity_id>/capas/", views.entity_layers, name="layers"),
    path("capas/<int:layer_id>/", views.layer_detail, name="layer"),
    path("entidades/<int:entity_id>/unidades/", views.entity_units, name="entity_units"),
]
