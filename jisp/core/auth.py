"""Sign-in by e-mail address and password, with lock-out after repeated failures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from jisp.core.models import User
from jisp.core.statements import Statement

_ACTIVE_PERSON = Statement(lambda pk: User.objects.filter(pk=pk, is_active=True)[:1], int)


class EmailBackend(ModelBackend):
    """Looks people up by e-mail (case-insensitive); a locked or inactive account cannot sign in.

    Counting failures and locking is done by ``jisp.core.services.accounts.sign_in``, which
    calls this backend through ``django.contrib.auth.authenticate``.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        address = (email or username or "").strip().lower()
        if not address or password is None:
            return None
        try:
            user = User.objects.get(email=address)
        except User.DoesNotExist:
            # Spend the same time as a real check so timing does not reveal who has an account.
            User().set_password(password)
            return None
        if user.is_locked():
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: int) -> User | None:
        """The signed-in person of every request: a compiled statement (``jisp.core.statements``)
        instead of a queryset built and compiled each time."""
        if not isinstance(user_id, int) or isinstance(user_id, bool):  # Django passes an int
            return None
        return _ACTIVE_PERSON.first(user_id)
