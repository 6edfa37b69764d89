from django.urls import path

from rumbo.reports import views

app_name = "reports"
urlpatterns = [
    path("planes/<int:plan_id>/", views.plan_reports, name="plan_reports"),
    path("planes/<int:plan_id>/archivo/", views.archive, name="archive"),
    path("<int:report_id>/", views.report_detail, name="report"),
    path("<int:report_id>/flujo/", views.report_workflow, name="workflow"),
    path("<int:report_id>/generar/", views.report_generate_view, name="generate"),
    path("versiones/<int:version_id>/pdf", views.version_pdf, name="version_pdf"),
    path("versiones/<int:version_id>/docx", views.version_docx, name="version_docx"),
    path("archivo/<int:document_id>/", views.archive_file, name="archive_file"),
]
