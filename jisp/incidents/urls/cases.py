"""The case queue and the case page, with one POST URL per action (``incidents:case_*``)."""

from django.urls import URLPattern, path

from jisp.incidents.views import cases

urlpatterns: list[URLPattern] = [
    path("cases/", cases.case_queue, name="case_queue"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/state/", cases.case_state, name="case_state"),
    path("cases/<int:pk>/assign/", cases.case_assign, name="case_assign"),
    path("cases/<int:pk>/severity/", cases.case_severity, name="case_severity"),
    path("cases/<int:pk>/messages/", cases.case_message, name="case_message"),
    path("cases/<int:pk>/tasks/", cases.case_task_add, name="case_task_add"),
    path("cases/<int:pk>/tasks/done/", cases.case_task_done, name="case_task_done"),
    path("cases/<int:pk>/links/", cases.case_link, name="case_link"),
    path("cases/<int:pk>/merge/", cases.case_merge, name="case_merge"),
    path("cases/<int:pk>/topics/", cases.case_topic, name="case_topic"),
    path("cases/<int:pk>/impact/", cases.case_impact, name="case_impact"),
    path("cases/<int:pk>/sitrep/", cases.case_sitrep, name="case_sitrep"),
    path("cases/<int:pk>/participants/", cases.case_participant, name="case_participant"),
]
