"""The JSON API under /api/v1 (django-ninja): routers of every app are mounted here."""

from ninja import NinjaAPI

api = NinjaAPI(title="JISP API", version="1", urls_namespace="api")
