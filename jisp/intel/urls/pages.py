"""The intel area's pages (``intel:*``): indicators, extraction, sightings, verdict requests,
assets, imports and the page about feeds and TAXII."""

from django.urls import path

from jisp.intel.views import assets, extract, help, imports, indicators, verdicts

urlpatterns = [
    path("", indicators.indicator_list_page, name="indicators"),
    path("new/", indicators.indicator_new, name="indicator_new"),
    path("<int:pk>/", indicators.indicator_detail, name="indicator_detail"),
    path("<int:pk>/edit/", indicators.indicator_edit, name="indicator_edit"),
    path(
        "<int:pk>/false-positive/",
        indicators.indicator_false_positive,
        name="indicator_false_positive",
    ),
    path("<int:pk>/withdraw/", indicators.indicator_revoke, name="indicator_revoke"),
    path("<int:pk>/sightings/", indicators.sighting_new, name="sighting_new"),
    path("extract/", extract.extract_page, name="extract"),
    path("sightings/active/", help.active_indicators, name="active_indicators"),
    path("verdicts/", verdicts.verdict_list, name="verdicts"),
    path("verdicts/new/", verdicts.verdict_new, name="verdict_new"),
    path("verdicts/<int:pk>/", verdicts.verdict_detail, name="verdict_detail"),
    path("verdicts/<int:pk>/answer/", verdicts.verdict_answer, name="verdict_answer"),
    path("verdicts/<int:pk>/close/", verdicts.verdict_close, name="verdict_close"),
    path("assets/", assets.asset_list, name="assets"),
    path("assets/<int:pk>/remove/", assets.asset_remove, name="asset_remove"),
    path("import/", imports.import_page, name="imports"),
    path("feeds/", help.feeds_help, name="feeds_help"),
]
