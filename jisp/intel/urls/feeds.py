"""Product feeds (``intel:feed_plain``, ``intel:feed``): pulled with a token, see
``jisp.intel.views.feeds``."""

from django.urls import URLPattern, path

from jisp.intel.views import feeds

urlpatterns: list[URLPattern] = [
    path("feeds/plain/<slug:name>/", feeds.plain_feed, name="feed_plain"),
    path("feeds/<slug:fmt>/", feeds.feed, name="feed"),
]
