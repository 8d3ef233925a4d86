"""My assets: an organisation's own domains and networks, which the platform watches for.

Members see their organisations' assets (``policy.visible_assets``); their administrators and the
centre's staff add and remove them (``policy.can_manage_assets``); the centre sees every
organisation's, with a filter.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisp.core import policy
from jisp.core.models import Organisation
from jisp.intel.forms import AssetFilterForm, AssetForm
from jisp.intel.models import Asset
from jisp.intel.services import assets as service
from jisp.intel.views.indicators import NAV, error_text

PER_PAGE = 100


def manageable_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose assets the person may change."""
    a = policy.access(user)
    active = Organisation.objects.filter(is_active=True)
    if a.is_centre_staff:
        return active
    return active.filter(pk__in=a.admin_of)


def _page(request: HttpRequest, form: AssetForm | None, status: int = 200) -> HttpResponse:
    user = request.user
    a = policy.access(user)
    queryset = policy.visible_assets(user, Asset.objects.select_related("organisation"))
    filters = None
    if a.sees_all_below_red:
        filters = AssetFilterForm(request.GET or None)
        if filters.is_bound and filters.is_valid():
            data = filters.cleaned_data
            if data["organisation"] is not None:
                queryset = queryset.filter(organisation=data["organisation"])
            if data["q"]:
                queryset = queryset.filter(
                    Q(value__icontains=data["q"]) | Q(note__icontains=data["q"])
                )
    queryset = queryset.order_by("organisation__name", "kind", "value", "id")
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    manageable = (
        set(manageable_organisations(user).values_list("pk", flat=True))
        if (a.is_centre_staff or a.admin_of)
        else set()
    )
    context = {
        "nav": NAV,
        "page": page,
        "rows": [(asset, asset.organisation_id in manageable) for asset in page.object_list],
        "form": form,
        "filters": filters,
        "query": urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page"]),
        "own_names": [
            o.display_name for o in Organisation.objects.filter(pk__in=a.organisation_ids)
        ],
        "sees_all": a.sees_all_below_red,
    }
    return render(request, "intel/assets/list.html", context, status=status)


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    a = policy.access(user)
    if not a.is_member:
        raise Http404
    organisations = manageable_organisations(user)
    may_add = a.is_centre_staff or bool(a.admin_of)
    if request.method != "POST":
        return _page(request, AssetForm(organisations=organisations) if may_add else None)
    if not may_add:
        raise PermissionDenied(_("Only your organisation's administrators change its assets."))
    form = AssetForm(request.POST, organisations=organisations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            asset = service.add_asset(
                request,
                user,  # type: ignore[arg-type]
                data["organisation"],
                data["kind"],
                data["value"],
                data["note"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, errors in error.message_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("“%(value)s” was added.") % {"value": asset.value})
            return redirect("intel:assets")
    return _page(request, form, status=400)


@login_required
@require_POST
def asset_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    asset = policy.visible_assets(user, Asset.objects.all()).filter(pk=pk).first()
    if asset is None:
        raise Http404
    try:
        service.remove_asset(request, user, asset)  # type: ignore[arg-type]
    except PermissionDenied as error:
        raise PermissionDenied(error_text(error)) from None
    messages.success(request, _("“%(value)s” was removed.") % {"value": asset.value})
    return redirect("intel:assets")
