"""Pages of members' reports and of the routing rules (``incidents:report_*``, ``routing_*``)."""

from django.urls import URLPattern, path

from jisp.incidents.views import reports

urlpatterns: list[URLPattern] = [
    path("reports/", reports.report_list, name="report_list"),
    path("reports/new/", reports.report_new, name="report_new"),
    path("reports/enter/", reports.report_enter, name="report_enter"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path("reports/<int:pk>/updates/", reports.report_update, name="report_update"),
    path("reports/<int:pk>/share/", reports.report_share, name="report_share"),
    path(
        "reports/<int:pk>/attachments/",
        reports.report_attachment_upload,
        name="report_attachment_upload",
    ),
    path("reports/attachments/<int:pk>/", reports.report_attachment, name="report_attachment"),
    path("routing/", reports.routing_rules, name="routing_rules"),
    path("routing/new/", reports.routing_rule_edit, name="routing_rule_new"),
    path("routing/<int:pk>/", reports.routing_rule_edit, name="routing_rule_edit"),
    path(
        "routing/<int:pk>/deactivate/",
        reports.routing_rule_deactivate,
        name="routing_rule_deactivate",
    ),
]
