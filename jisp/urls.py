from django.conf import settings
from django.urls import include, path

from jisp.api import api
from jisp.core.admin import admin_site

urlpatterns = [
    path("", include("jisp.core.urls")),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
]

if settings.DEBUG:  # pragma: no cover
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
