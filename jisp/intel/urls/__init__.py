"""The intel area's pages (``intel:*``): one module of URL patterns per feature."""

from jisp.intel.urls import feeds, pages

app_name = "intel"

urlpatterns = [*pages.urlpatterns, *feeds.urlpatterns]
