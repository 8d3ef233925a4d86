"""The incidents area's pages: one module of URL patterns per feature (``incidents:*``)."""

from django.urls import path

from jisp.incidents.urls import cases, duty, reports, sitreps, support
from jisp.incidents.views import home

app_name = "incidents"

urlpatterns = [
    path("", home.incidents_home, name="home"),
    *reports.urlpatterns,
    *cases.urlpatterns,
    *support.urlpatterns,
    *sitreps.urlpatterns,
    *duty.urlpatterns,
]
