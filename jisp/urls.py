from django.urls import URLPattern, URLResolver, include, path

from jisp.api import api
from jisp.core.admin import admin_site

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("jisp.core.urls")),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
]
