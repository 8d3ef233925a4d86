"""The directory: organisations, their people and roles, invitations and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jisp.core import policy
from jisp.core.choices import Role
from jisp.core.forms.directory import InviteForm, JoinForm, MembershipForm, OrganisationFilterForm
from jisp.core.models import Invitation, Membership, Organisation, User
from jisp.core.services import accounts, directory

PER_PAGE = 50


def _organisation_or_404(user: Any, pk: int) -> Organisation:
    queryset = Organisation.objects.select_related("sector__ministry")
    organisation = policy.visible_organisations(user, queryset).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def _messages_of(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or _("You may not do this.")


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET)
    queryset = policy.visible_organisations(request.user).select_related("sector")
    status = 200
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        if text:
            queryset = queryset.filter(
                Q(name__icontains=text) | Q(name_en__icontains=text) | Q(short_name__icontains=text)
            )
        if form.cleaned_data["category"]:
            queryset = queryset.filter(category=form.cleaned_data["category"])
        if form.cleaned_data["sector"] is not None:
            queryset = queryset.filter(sector=form.cleaned_data["sector"])
    else:
        status = 400
    page = Paginator(queryset.order_by("name", "id"), PER_PAGE).get_page(request.GET.get("page"))
    # People per organisation of this page, in one grouped query (grouping the whole directory
    # before taking a page would cost a join over every membership).
    ids = [org.pk for org in page.object_list]
    counts = dict(
        Membership.objects.filter(organisation_id__in=ids)
        .values("organisation_id")
        .annotate(people=Count("user_id", distinct=True))
        .values_list("organisation_id", "people")
    )
    for org in page.object_list:
        org.member_count = counts.get(org.pk, 0)
    context = {"nav": "organisations", "form": form, "page": page}
    return render(request, "core/directory/organisations.html", context, status=status)


def _people(user: Any, organisation: Organisation) -> list[dict[str, Any]]:
    """The organisation's people whom ``user`` may see, each with their memberships here."""
    rows = (
        Membership.objects.filter(
            organisation=organisation, user__in=policy.visible_people(user).values("pk")
        )
        .select_related("user")
        .order_by("user__name", "user_id", "role")
    )
    can_manage = policy.can_manage_people(user, organisation)
    grantable = set(policy.grantable_roles(user, organisation)) if can_manage else set()
    people: list[dict[str, Any]] = []
    for membership in rows:
        if not people or people[-1]["person"].pk != membership.user_id:
            people.append({"person": membership.user, "memberships": []})
        membership.manageable = membership.role in grantable  # type: ignore[attr-defined]
        people[-1]["memberships"].append(membership)
    return people


def _render_organisation(
    request: HttpRequest, organisation: Organisation, *, status: int = 200
) -> HttpResponse:
    user = request.user
    can_manage = policy.can_manage_people(user, organisation)
    roles = policy.grantable_roles(user, organisation) if can_manage else []
    context = {
        "nav": "organisations",
        "organisation": organisation,
        "people": _people(user, organisation),
        "can_manage": can_manage,
        "role_choices": [(role, Role(role).label) for role in roles],
        "invitations": list(directory.open_invitations(organisation)) if can_manage else [],
    }
    return render(request, "core/directory/organisation.html", context, status=status)


@login_required
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_organisation(request, _organisation_or_404(request.user, pk))


@login_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request.user, pk)
    if not policy.can_manage_people(request.user, organisation):
        raise PermissionDenied
    roles = policy.grantable_roles(request.user, organisation)
    form = InviteForm(request.POST if request.method == "POST" else None, roles=roles)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, token = accounts.invite_person(
                    request,
                    request.user,  # type: ignore[arg-type]
                    organisation,
                    form.cleaned_data["email"],
                    form.cleaned_data["role"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if directory.send_invitation(invitation, token):
                    messages.success(
                        request,
                        _("An invitation was sent to %(email)s.") % {"email": invitation.email},
                    )
                else:
                    messages.warning(
                        request,
                        _(
                            "The invitation to %(email)s was saved, but the e-mail could not be "
                            "sent. Revoke it and try again later."
                        )
                        % {"email": invitation.email},
                    )
                return redirect("core:organisation", organisation.pk)
        status = 400
    context = {"nav": "organisations", "organisation": organisation, "form": form}
    return render(request, "core/directory/invite.html", context, status=status)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise Http404
    organisation = _organisation_or_404(request.user, invitation.organisation_id)
    if not policy.can_manage_people(request.user, organisation):
        raise PermissionDenied
    try:
        accounts.revoke_invitation(request, request.user, invitation)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return _render_organisation(request, organisation, status=400)
    messages.success(
        request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
    )
    return redirect("core:organisation", organisation.pk)


@login_required
@require_POST
def membership(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = Membership.objects.select_related("organisation", "user")
    target = policy.visible_memberships(request.user, queryset).filter(pk=pk).first()
    if target is None:
        raise Http404
    organisation = _organisation_or_404(request.user, target.organisation_id)
    if not policy.can_manage_people(request.user, organisation):
        raise PermissionDenied
    form = MembershipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with this membership."))
        return _render_organisation(request, organisation, status=400)
    person = target.user
    try:
        if form.cleaned_data["action"] == MembershipForm.SET_ROLE:
            role = form.cleaned_data["role"]
            accounts.set_role(request, request.user, target, role)  # type: ignore[arg-type]
            done = _("%(person)s is now: %(role)s.") % {
                "person": person.get_full_name(),
                "role": Role(role).label,
            }
        else:
            accounts.remove_membership(request, request.user, target)  # type: ignore[arg-type]
            done = _("%(person)s no longer holds the role %(role)s here.") % {
                "person": person.get_full_name(),
                "role": target.get_role_display(),
            }
    except PermissionDenied as error:
        messages.error(request, _messages_of(error))
        return _render_organisation(request, organisation, status=403)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return _render_organisation(request, organisation, status=400)
    messages.success(request, done)
    policy.forget(request.user)
    if not policy.visible_organisations(request.user).filter(pk=organisation.pk).exists():
        return redirect("core:home")
    return redirect("core:organisation", organisation.pk)


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind an invitation link: join as oneself, or create the invited account."""
    lookup = directory.look_up_invitation(token)
    invitation = lookup.invitation
    if invitation is None or not lookup.is_open:
        status = 410 if lookup.state == directory.EXPIRED else 404
        return render(
            request,
            "core/directory/invitation_invalid.html",
            {"state": lookup.state},
            status=status,
        )
    context: dict[str, Any] = {"invitation": invitation, "organisation": invitation.organisation}
    template = "core/directory/invitation_accept.html"
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email:
            context["mode"] = "wrong_account"
            return render(request, template, context, status=403)
        if request.method == "POST":
            try:
                accounts.accept_invitation(request, invitation, user=user)
            except ValidationError:
                return render(
                    request, "core/directory/invitation_invalid.html", {"state": "used"}, status=404
                )
            messages.success(
                request,
                _("You joined %(organisation)s.")
                % {"organisation": invitation.organisation.display_name},
            )
            return redirect("core:organisation", invitation.organisation_id)
        context["mode"] = "join"
        return render(request, template, context)
    if User.objects.filter(email=invitation.email).exists():
        context["mode"] = "sign_in"
        context["signin_url"] = reverse("core:signin") + "?" + urlencode({"next": request.path})
        return render(request, template, context, status=400 if request.method == "POST" else 200)
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        email=invitation.email,
        initial={"language": (get_language() or "ja")[:2]},
    )
    context.update(mode="create", form=form)
    if request.method == "POST":
        if form.is_valid():
            try:
                directory.join_with_new_account(
                    request,
                    invitation,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password1"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError:
                return render(
                    request, "core/directory/invitation_invalid.html", {"state": "used"}, status=404
                )
            return redirect("core:home")
        return render(request, template, context, status=400)
    return render(request, template, context)
