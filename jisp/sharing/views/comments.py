"""Comments on topics: post (with mentions) and delete. Seen by whoever sees the topic."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisp.core import policy
from jisp.sharing.forms.comments import CommentForm
from jisp.sharing.models import Comment
from jisp.sharing.services import comments
from jisp.sharing.views.writing import error_text, problem, topic_or_404


def _to_topic(pk: int, anchor: str = "comments") -> HttpResponse:
    return HttpResponseRedirect(reverse("sharing:detail", args=[pk]) + "#" + anchor)


@login_required
@require_POST
def comment_post(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request.user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return problem(request, " ".join(errors), topic=topic)
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"], topic=topic).first()
        if parent is None:
            return problem(request, _("The comment you reply to no longer exists."), topic=topic)
    try:
        comment = comments.post_comment(
            request,
            request.user,  # type: ignore[arg-type]
            topic,
            form.cleaned_data["body"],
            parent=parent,
        )
    except ValidationError as error:
        return problem(request, error_text(error), topic=topic)
    except PermissionDenied:
        if not policy.can_view(request.user, topic):
            raise Http404 from None
        raise
    messages.success(request, _("Your comment was posted."))
    return _to_topic(topic.pk, f"comment-{comment.pk}")


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = Comment.objects.filter(pk=pk).only("pk", "topic_id", "author_id").first()
    if comment is None:
        raise Http404
    topic = topic_or_404(request.user, comment.topic_id)
    comment.topic = topic
    if not comments.can_delete(request.user, comment):
        raise PermissionDenied(_("You may not delete this comment."))
    comments.delete_comment(request, request.user, comment)  # type: ignore[arg-type]
    messages.success(request, _("The comment was deleted."))
    return _to_topic(topic.pk)
