from django.apps import AppConfig


class PolicyAppConfig(AppConfig):
    name = "jisp.core.tests.policyapp"
    label = "policyapp"
    default_auto_field = "django.db.models.BigAutoField"
