from django.urls import path

from rumbo.lifecycle.validity import views

urlpatterns = [
    path("planes/<int:plan_id>/vigencia/", views.plan_validity, name="validity"),
    path("calculadora/", views.calculator, name="calculator"),
]
