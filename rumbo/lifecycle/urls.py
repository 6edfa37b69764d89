from django.urls import include, path

app_name = "lifecycle"
urlpatterns = [
    path("", include("rumbo.lifecycle.validity.urls")),
    path("", include("rumbo.lifecycle.routes.urls")),
    path("", include("rumbo.lifecycle.inventory.urls")),
]
