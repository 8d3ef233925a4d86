"""The fields every stored upload carries (a topic's or a report's attachment)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """Abstract base of an uploaded file kept under a random name in ``settings.MEDIA_ROOT``.

    ``filename`` is the original name, cleaned, sent back on download; ``content_type`` was judged
    from the content. Subclasses add the item the file belongs to and override ``file`` to give
    their own ``upload_to``. Stored by ``jisp.sharing.services.attachments.store_upload``, sent
    by ``jisp.core.views.files.file_response``.
    """

    file = models.FileField(_("file"))
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
