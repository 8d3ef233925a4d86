"""Typed readers for the environment variables that configure JISP.

Each reader returns a clean value or raises ``ImproperlyConfigured`` with a message that names the
variable and says what is wrong, so a malformed value stops the process at start-up with a clear
error instead of failing later. Every variable may also be given as ``NAME_FILE`` (a path whose
content is the value), for secrets kept in files.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def raw(name: str, default: str | None = None) -> str | None:
    """The variable's text: from NAME, else from the file named by NAME_FILE, else the default."""
    value = os.environ.get(name)
    if value is not None:
        return value.strip()
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE: cannot read {path!r}: {exc.strerror}"
            ) from exc
    return default


def string(name: str, default: str = "") -> str:
    value = raw(name)
    return default if value is None or value == "" else value


def boolean(name: str, default: bool = False) -> bool:
    value = raw(name)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {value!r}")


def integer(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    value = raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {value!r}") from None
    if number < minimum or (maximum is not None and number > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}{upper}, got {number}")
    return number


def csv_list(name: str, default: list[str]) -> list[str]:
    value = raw(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def networks(name: str, default: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    result = []
    for item in csv_list(name, default):
        try:
            result.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return result


def data_dir(name: str, default: Path) -> Path:
    path = Path(string(name, str(default))).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}: cannot create {str(path)!r}: {exc.strerror}") from exc
    return path


def secret_key(name: str, folder: Path) -> str:
    """SECRET_KEY from the environment, else generated once and kept in the data folder."""
    value = raw(name)
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured(f"{name}: must be at least 32 characters long")
        return value
    path = folder / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    # Create with owner-only permissions; if another process won the race, read its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def database(name: str, default_sqlite: Path) -> dict[str, Any]:
    """A Django DATABASES entry from a URL such as postgres://user@host:5432/jisp or sqlite:///path."""
    import dj_database_url

    value = raw(name)
    if not value:
        config: dict[str, Any] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite),
        }
    else:
        scheme = value.split(":", 1)[0].lower()
        if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
            raise ImproperlyConfigured(
                f"{name}: unsupported scheme {scheme!r}; use postgres://... or sqlite:///path"
            )
        try:
            config = dict(dj_database_url.parse(value))
        except Exception as exc:  # dj_database_url raises several types for bad URLs
            raise ImproperlyConfigured(f"{name}: malformed database URL ({exc})") from None
        if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
            raise ImproperlyConfigured(f"{name}: the URL must name a database, e.g. .../jisp")
    if config["ENGINE"].endswith("sqlite3"):
        # WAL lets readers proceed while one writer writes; a busy timeout waits instead of failing.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config.setdefault("TEST", {})
    else:
        # Persistent connections (dj_database_url's parse() sets 0 / False, so assign, not default).
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = "127.0.0.1"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str = ""
    timeout: int = 10


def email(name: str, default: str) -> EmailConfig:
    """Mail delivery from a URL: smtp://user:pass@host:port, smtp+tls://, smtp+ssl://, console:, file:///dir."""
    value = string(name, default)
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name}: malformed URL {value!r}") from None
    scheme = parts.scheme.lower()
    options = parse_qs(parts.query)
    timeout = options.get("timeout", ["10"])[0]
    if not timeout.isdigit():
        raise ImproperlyConfigured(f"{name}: timeout must be a number of seconds")
    if scheme in {"smtp", "smtp+tls", "smtp+ssl", "submission"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name}: the URL must name a host, e.g. smtp://mail:25")
        default_port = {"smtp": 25, "smtp+tls": 587, "submission": 587, "smtp+ssl": 465}[scheme]
        return EmailConfig(
            backend="django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname,
            port=port or default_port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=scheme in {"smtp+tls", "submission"},
            use_ssl=scheme == "smtp+ssl",
            timeout=int(timeout),
        )
    if scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(
                f"{name}: file:// needs a folder, e.g. file:///var/mail/jisp"
            )
        return EmailConfig(
            backend="django.core.mail.backends.filebased.EmailBackend", file_path=parts.path
        )
    if scheme == "memory":
        return EmailConfig(backend="django.core.mail.backends.locmem.EmailBackend")
    raise ImproperlyConfigured(
        f"{name}: unsupported scheme {scheme!r}; use smtp://, smtp+tls://, smtp+ssl://, "
        "console:, file:/// or memory:"
    )


def redis_url(name: str) -> str | None:
    value = raw(name)
    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: malformed URL {value!r}") from None
    if parts.scheme not in {"redis", "rediss", "unix"} or not (parts.hostname or parts.path):
        raise ImproperlyConfigured(f"{name}: expected redis://host:6379/0, got {value!r}")
    return value
