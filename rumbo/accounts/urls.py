from django.urls import path

from rumbo.accounts import views

app_name = "accounts"
urlpatterns = [
    path("entidades/", views.entity_list, name="entities"),
    path("entidades/<int:entity_id>/", views.entity_detail, name="entity"),
    path("entidades/<int:entity_id>/historial/", views.entity_history, name="entity_history"),
    path("entidades/<int:entity_id>/miembros/", views.membership_add, name="membership_add"),
    path("miembros/<int:membership_id>/quitar/", views.membership_remove, name="membership_remove"),
    path("cuenta/tokens/", views.tokens, name="tokens"),
    path("cuenta/tokens/<int:token_id>/revocar/", views.token_revoke, name="token_revoke"),
    path("cuenta/dos-factores/", views.two_factor, name="two_factor"),
    path("cuenta/dos-factores/desactivar/", views.two_factor_disable, name="two_factor_disable"),
    path("cuenta/dos-factores/codigos/", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("entrar/codigo/", views.login_code, name="login_code"),
]
