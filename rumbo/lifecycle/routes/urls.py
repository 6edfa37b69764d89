from django.urls import URLPattern, path

from rumbo.lifecycle.routes import views

urlpatterns: list[URLPattern] = [
    path("planes/<int:plan_id>/ruta/", views.route, name="route"),
    path("planes/<int:plan_id>/ruta/iniciar/", views.route_start, name="route_start"),
    path("pasos/<int:state_id>/", views.step, name="step"),
    path("pasos/<int:state_id>/archivos/", views.step_file_add, name="step_file_add"),
    path("pasos/<int:state_id>/comentarios/", views.step_comment_add, name="step_comment_add"),
    path("archivos/<int:file_id>/", views.step_file, name="step_file"),
    path("planes/<int:plan_id>/tramite/", views.procedure, name="procedure"),
    path("planes/<int:plan_id>/tramite/iniciar/", views.procedure_start, name="procedure_start"),
    path("tramite/pasos/<int:step_id>/", views.procedure_step, name="procedure_step"),
    path("planes/<int:plan_id>/plazos.ics", views.deadlines_ics, name="deadlines_ics"),
]
