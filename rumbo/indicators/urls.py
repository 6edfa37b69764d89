from django.urls import include, path

app_name = "indicators"
urlpatterns = [
    path("", include("rumbo.indicators.sheets.urls")),
    path("", include("rumbo.indicators.measurements.urls")),
    path("", include("rumbo.indicators.dashboard.urls")),
]
