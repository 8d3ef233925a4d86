"""Situation reports (``/incidents/sitreps/``) and the cases proposed for them."""

from django.urls import URLPattern, path

from jisp.incidents.views import sitreps

urlpatterns: list[URLPattern] = [
    path("sitreps/", sitreps.sitrep_list, name="sitrep_list"),
    path("sitreps/new/", sitreps.sitrep_new, name="sitrep_new"),
    path("sitreps/escalations/", sitreps.escalations, name="escalations"),
    path("sitreps/recipients/", sitreps.sitrep_recipients, name="sitrep_recipients"),
    path("sitreps/<int:pk>/", sitreps.sitrep_detail, name="sitrep_detail"),
    path("sitreps/<int:pk>/edit/", sitreps.sitrep_edit, name="sitrep_edit"),
    path("sitreps/<int:pk>/approve/", sitreps.sitrep_approve, name="sitrep_approve"),
    path("sitreps/<int:pk>/issue/", sitreps.sitrep_issue, name="sitrep_issue"),
    path("sitreps/<int:pk>/pdf/", sitreps.sitrep_pdf, name="sitrep_pdf"),
    path("sitreps/<int:pk>/markdown/", sitreps.sitrep_markdown, name="sitrep_markdown"),
]
