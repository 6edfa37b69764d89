from django.urls import include, path

from rumbo.lifecycle import views

app_name = "lifecycle"
urlpatterns = [
    path("planes/<int:plan_id>/linea-de-tiempo/", views.timeline, name="timeline"),
    path("", include("rumbo.lifecycle.validity.urls")),
    path("", include("rumbo.lifecycle.routes.urls")),
    path("", include("rumbo.lifecycle.inventory.urls")),
]
