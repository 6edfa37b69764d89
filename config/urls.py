from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rumbo.accounts import views as account_views
from rumbo.api.urls import api
from rumbo.core import views as core_views
from rumbo.plans import views as plan_views

urlpatterns = [
    path("", plan_views.home, name="home"),
    path("entrar/", account_views.SignInView.as_view(), name="login"),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("planes/", include("rumbo.plans.urls")),
    path("ciclo/", include("rumbo.lifecycle.urls")),
    path("seguimiento/", include("rumbo.indicators.urls")),
    path("informes/", include("rumbo.reports.urls")),
    path("inversiones/", include("rumbo.investments.urls")),
    path("gobernanza/", include("rumbo.governance.urls")),
    path("territorio/", include("rumbo.territory.urls")),
    path("", include("rumbo.accounts.urls")),
    path("trabajos/<int:job_id>/", core_views.job_status, name="job"),
    path("health/", core_views.health, name="health"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

# error pages in the site's design and language; JSON under /api/ (rumbo.core.views)
handler400 = "rumbo.core.views.bad_request"
handler403 = "rumbo.core.views.permission_denied"
handler404 = "rumbo.core.views.page_not_found"
handler500 = "rumbo.core.views.server_error"
