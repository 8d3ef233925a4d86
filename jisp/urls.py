from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from jisp.api import api
from jisp.core.admin import admin_site

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("jisp.core.urls")),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
    # Browsers ask for /favicon.ico on pages that name none (the admin site's).
    path("favicon.ico", RedirectView.as_view(url=static("core/favicon.svg"), permanent=True)),
]
