"""The session store: Django's database sessions, read through a compiled statement.

Every signed-in request reads its session. Django's store builds and compiles the same queryset
each time (``Session.objects.get(session_key=..., expire_date__gt=now)``); this one runs the
compiled statement (``jisp.core.statements``) and checks the expiry in Python, which is the same
rule. Writing, deleting and clearing expired sessions are Django's, unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from jisp.core.statements import Statement

_SESSION = Statement(
    lambda key: Session.objects.filter(session_key=key).values_list("session_data", "expire_date"),
    str,
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        row = _SESSION.first(key, using=self.model.objects.db) if key else None
        if key is None or row is None or row[1] <= timezone.now():
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0], expire_date=row[1])
