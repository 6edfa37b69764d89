from django.urls import include, path

app_name = "investments"
urlpatterns = [
    path("", include("rumbo.investments.bank.urls")),
    path("", include("rumbo.investments.priorities.urls")),
    path("", include("rumbo.investments.programming.urls")),
    path("", include("rumbo.investments.execution.urls")),
]
