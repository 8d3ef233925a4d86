"""The duty log (``incidents:duty``, ``incidents:duty_handover``)."""

from django.urls import URLPattern, path

from jisp.incidents.views import duty

urlpatterns: list[URLPattern] = [
    path("duty/", duty.duty_log, name="duty"),
    path("duty/<int:pk>/handover/", duty.duty_handover, name="duty_handover"),
]
