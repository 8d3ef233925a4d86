"""Imports (the centre's staff): upload a STIX 2.1 bundle or a MISP event file, and the list of
earlier imports with their counts and first errors.

The upload is written to a temporary file (a bundle may be far larger than memory) and read by
``jisp.intel.services.imports``, which streams it and writes all of it or nothing.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jisp.core import policy
from jisp.intel.choices import ImportState
from jisp.intel.forms import ImportForm
from jisp.intel.models import ImportRun
from jisp.intel.views.indicators import NAV, error_text

PER_PAGE = 50


def _may_import(user: Any) -> None:
    if policy.can_manage_intel(user):
        return
    if policy.access(user).is_member:
        raise PermissionDenied(_("Only the coordination centre imports indicators."))
    raise Http404


def max_bytes() -> int:
    """The largest file accepted (``INTEL_IMPORT_MAX_BYTES``, 1 GiB by default)."""
    return int(getattr(settings, "INTEL_IMPORT_MAX_BYTES", 1 << 30))


def _render(request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
    runs = ImportRun.objects.select_related("organisation", "created_by").order_by(
        "-started_at", "-id"
    )
    page = Paginator(runs, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "nav": NAV,
        "form": form,
        "page": page,
        "max_mb": max_bytes() // (1024 * 1024),
    }
    return render(request, "intel/imports/list.html", context, status=status)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    _may_import(user)
    if request.method != "POST":
        return _render(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, 400)
    upload = form.cleaned_data["file"]
    if upload.size is not None and upload.size > max_bytes():
        form.add_error(
            "file",
            _("The file is too large (at most %(mb)d MB).") % {"mb": max_bytes() // (1024 * 1024)},
        )
        return _render(request, form, 413)
    data = form.cleaned_data
    spooled = not hasattr(upload, "temporary_file_path")
    path = _spool(upload) if spooled else upload.temporary_file_path()
    try:
        run = _import(request, user, data, path, upload.name or "")
    except ValidationError as error:
        form.add_error(None, error_text(error))
        return _render(request, form, 400)
    except PermissionDenied as error:
        form.add_error(None, error_text(error))
        return _render(request, form, 403)
    finally:
        if spooled:
            os.unlink(path)
    if run.state == ImportState.FAILED:
        messages.error(
            request,
            _("The import failed and nothing was saved: %(error)s")
            % {"error": "; ".join(str(e) for e in (run.errors or [])[:3]) or _("unknown error")},
        )
        return _render(request, ImportForm(), 400)
    messages.success(
        request,
        _("Imported: %(read)d objects read, %(added)d indicators added, %(unchanged)d unchanged.")
        % {"read": run.objects_read, "added": run.indicators_added, "unchanged": run.unchanged},
    )
    return redirect("intel:imports")


def _spool(upload: Any) -> str:
    """A small upload (kept in memory by Django) written to a temporary file; the caller
    deletes it. Large ones are on disk already (``temporary_file_path``)."""
    handle, path = tempfile.mkstemp(prefix="jisp-import-", suffix=".json")
    with os.fdopen(handle, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def _import(
    request: HttpRequest, user: Any, data: dict[str, Any], path: str, name: str
) -> ImportRun:
    """Hand the file to the STIX or the MISP importer (each all or nothing)."""
    from jisp.intel.services.indicators import source_for
    from jisp.intel.stix.importer import IngestContext

    ctx = IngestContext(
        user=user,
        organisation=data["organisation"] or source_for(user),
        tlp=data["tlp"],
        audience=data["audience"],
    )
    with open(path, "rb") as fileobj:
        if data["format"] == ImportForm.STIX:
            from jisp.intel.stix.importer import import_bundle

            return import_bundle(fileobj, ctx, name=name[:255], request=request)
        from jisp.intel.misp import import_misp_event

        return import_misp_event(fileobj, ctx)
