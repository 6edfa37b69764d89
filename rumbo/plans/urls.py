from django.urls import path

from rumbo.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("nuevo/", views.plan_create, name="create"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/editar/", views.plan_edit, name="edit"),
    path("<int:plan_id>/arbol/", views.plan_tree_fragment, name="tree"),
    path("<int:plan_id>/publicar/", views.plan_publish, name="publish"),
    path("<int:plan_id>/nodos/nuevo/", views.node_add, name="node_add"),
    path("<int:plan_id>/importar/", views.plan_import, name="import"),
    path("<int:plan_id>/exportar.<str:fmt>", views.plan_export, name="export"),
    path("<int:plan_id>/historial/", views.plan_history_view, name="history"),
    path("<int:plan_id>/actos/nuevo/", views.legal_act_add, name="legal_act_add"),
    path("<int:plan_id>/vinculos/nuevo/", views.plan_link_add, name="link_add"),
    path("<int:plan_id>/comentarios/", views.comment_add, name="comment_add"),
    path("nodos/<int:node_id>/editar/", views.node_edit, name="node_edit"),
    path("nodos/<int:node_id>/desplazar/", views.node_shift, name="node_shift"),
    path("nodos/<int:node_id>/mover/", views.node_move, name="node_move"),
    path("nodos/<int:node_id>/eliminar/", views.node_delete, name="node_delete"),
    path("nodos/<int:node_id>/alinear/", views.node_alignments, name="node_align"),
    path("actos/<int:act_id>/archivo/", views.legal_act_file, name="legal_act_file"),
]
