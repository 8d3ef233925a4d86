"""TAXII 2.1 under /taxii2/: discovery at the root, one API root at /taxii2/api/."""

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from jisp.intel.taxii import views
from jisp.intel.taxii.errors import TaxiiError, error_response

app_name = "taxii"


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /taxii2/ (an unknown API root, a path without its final slash...)."""
    return error_response(TaxiiError(404))


COLLECTION = "api/collections/<str:key>/"

urlpatterns = [
    path("", views.discovery, name="discovery"),
    path("api/", views.api_root, name="api_root"),
    path("api/status/<str:status_id>/", views.status, name="status"),
    path("api/collections/", views.collections, name="collections"),
    path(COLLECTION, views.collection, name="collection"),
    path(COLLECTION + "manifest/", views.manifest, name="manifest"),
    path(COLLECTION + "objects/", views.objects, name="objects"),
    path(COLLECTION + "objects/<str:object_id>/", views.one_object, name="object"),
    path(COLLECTION + "objects/<str:object_id>/versions/", views.versions, name="versions"),
    re_path(r"^.*$", not_found),
]
