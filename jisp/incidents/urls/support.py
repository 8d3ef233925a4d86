"""Support requests and the consultation desk's published answers (``incidents:support_*``)."""

from django.urls import URLPattern, path

from jisp.incidents.views import support

urlpatterns: list[URLPattern] = [
    path("support/", support.support_inbox, name="support_inbox"),
    path("support/<int:pk>/", support.support_detail, name="support_detail"),
    path("support/<int:pk>/answer/", support.support_answer, name="support_answer"),
    path("support/<int:pk>/findings/", support.support_findings, name="support_findings"),
    path("support/<int:pk>/message/", support.support_message, name="support_message"),
    path("support/<int:pk>/close/", support.support_close, name="support_close"),
    path("cases/<int:case_pk>/support/new/", support.support_new, name="support_new"),
    path("cases/<int:case_pk>/publish/", support.consultation_publish, name="consultation_publish"),
]
