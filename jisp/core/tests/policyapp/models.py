from django.db import models

from jisp.core.models import Shareable


class Item(Shareable):
    """The simplest shared item: what the access-policy tests share and look for."""

    title = models.CharField(max_length=100)

    class Meta:
        app_label = "policyapp"

    def __str__(self) -> str:
        return self.title
