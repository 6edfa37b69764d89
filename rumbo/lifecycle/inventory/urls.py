"""Inventory pages, included at /ciclo/ under the "lifecycle" namespace."""

from django.urls import URLPattern, path

from rumbo.lifecycle.inventory import views

urlpatterns: list[URLPattern] = [
    path("entidades/<int:entity_id>/inventario/", views.inventory, name="inventory"),
    path("entidades/<int:entity_id>/inventario/nuevo/", views.inventory_add, name="inventory_add"),
    path("entidades/<int:entity_id>/inventario/brechas/", views.inventory_gaps, name="inventory_gaps"),
    path(
        "entidades/<int:entity_id>/inventario/<int:item_id>/editar/",
        views.inventory_edit,
        name="inventory_edit",
    ),
    path(
        "entidades/<int:entity_id>/inventario/<int:item_id>/eliminar/",
        views.inventory_delete,
        name="inventory_delete",
    ),
    path(
        "entidades/<int:entity_id>/inventario/<int:item_id>/archivo/",
        views.inventory_file,
        name="inventory_file",
    ),
]
