from django.urls import path

from rumbo.investments.priorities import views

urlpatterns = [
    path("entidades/<int:entity_id>/criterios/", views.criteria, name="criteria"),
    path("entidades/<int:entity_id>/criterios/nuevo/", views.criterion_add, name="criterion_add"),
    path(
        "entidades/<int:entity_id>/criterios/sugeridos/", views.criteria_suggested, name="criteria_suggested"
    ),
    path(
        "entidades/<int:entity_id>/criterios/<int:criterion_id>/editar/",
        views.criterion_edit,
        name="criterion_edit",
    ),
    path(
        "entidades/<int:entity_id>/criterios/<int:criterion_id>/eliminar/",
        views.criterion_delete,
        name="criterion_delete",
    ),
    path("proyectos/<int:project_id>/puntaje/", views.project_score, name="project_score"),
    path("entidades/<int:entity_id>/priorizacion/", views.ranking, name="ranking"),
    path("entidades/<int:entity_id>/priorizacion.csv", views.ranking_csv, name="ranking_csv"),
    path("entidades/<int:entity_id>/sensibilidad/", views.sensitivity, name="sensitivity"),
]
