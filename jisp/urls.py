from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path

from jisp.api import api
from jisp.core.admin import admin_site


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name none (the admin site's)."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))


urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("jisp.core.urls")),
    path("topics/", include("jisp.sharing.urls")),
    path("incidents/", include("jisp.incidents.urls")),
    path("intel/", include("jisp.intel.urls")),
    path("taxii2/", include("jisp.intel.taxii.urls")),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
    path("favicon.ico", favicon),
]
