"""Configuration from the environment: clean values, and a clear error for a malformed one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jisp import config


def test_it_reads_a_database_url_for_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_DB", "postgres://jisp:s%40cret@db.internal:5433/jisp")
    db = config.database("X_DB", Path("/tmp/unused.sqlite3"))
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["PASSWORD"]) == (
        "db.internal",
        5433,
        "jisp",
        "s@cret",
    )


def test_it_defaults_to_sqlite_in_wal_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_DB", raising=False)
    db = config.database("X_DB", Path("/tmp/jisp.sqlite3"))
    assert db["NAME"] == "/tmp/jisp.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("mysql://root@localhost/jisp", "unsupported scheme"),
        ("postgres://host:notaport/jisp", "malformed"),
        ("postgres://host:5432", "must name a database"),
    ],
)
def test_it_rejects_a_malformed_database_url(
    monkeypatch: pytest.MonkeyPatch, value: str, fragment: str
) -> None:
    monkeypatch.setenv("X_DB", value)
    with pytest.raises(ImproperlyConfigured, match=fragment):
        config.database("X_DB", Path("/tmp/x"))


def test_it_reads_mail_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_MAIL", "smtp+tls://user%40x:pa%3Ass@mail.example:2525?timeout=5")
    mail = config.email("X_MAIL", "console:")
    assert (mail.host, mail.port, mail.user, mail.password) == (
        "mail.example",
        2525,
        "user@x",
        "pa:ss",
    )
    assert mail.use_tls and not mail.use_ssl and mail.timeout == 5
    monkeypatch.setenv("X_MAIL", "smtp+ssl://mail.example")
    assert config.email("X_MAIL", "console:").port == 465


@pytest.mark.parametrize(
    "value", ["smtp://", "smtp://host:99999", "pop3://host", "smtp://h?timeout=soon", "file://"]
)
def test_it_rejects_a_malformed_mail_url(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("X_MAIL", value)
    with pytest.raises(ImproperlyConfigured, match="X_MAIL"):
        config.email("X_MAIL", "console:")


@pytest.mark.parametrize("value", ["http://cache:6379", "redis://h:port", "redis://"])
def test_it_rejects_a_malformed_redis_url(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("X_REDIS", value)
    with pytest.raises(ImproperlyConfigured, match="X_REDIS"):
        config.redis_url("X_REDIS")


def test_it_reads_numbers_booleans_and_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_N", "7")
    monkeypatch.setenv("X_B", "yes")
    monkeypatch.setenv("X_NET", "10.0.0.0/8, ::1")
    assert config.integer("X_N", 1) == 7
    assert config.boolean("X_B") is True
    assert [str(n) for n in config.networks("X_NET", [])] == ["10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("X_N", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        config.integer("X_N", 1)
    monkeypatch.setenv("X_B", "maybe")
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        config.boolean("X_B")
    monkeypatch.setenv("X_NET", "10.0.0.0/33")
    with pytest.raises(ImproperlyConfigured, match="not an IP address"):
        config.networks("X_NET", [])


def test_it_reads_a_secret_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("k" * 40 + "\n")
    monkeypatch.delenv("X_KEY", raising=False)
    monkeypatch.setenv("X_KEY_FILE", str(secret))
    assert config.secret_key("X_KEY", tmp_path) == "k" * 40
    monkeypatch.setenv("X_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        config.secret_key("X_KEY", tmp_path)


def test_it_generates_and_keeps_a_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("X_KEY", raising=False)
    monkeypatch.delenv("X_KEY_FILE", raising=False)
    first = config.secret_key("X_KEY", tmp_path)
    assert len(first) >= 50
    assert config.secret_key("X_KEY", tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("X_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        config.secret_key("X_KEY", tmp_path)


def test_the_jisp_command_stops_with_a_clear_message_for_a_bad_value(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "JISP_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "mysql://root@localhost/jisp",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    result = subprocess.run(
        [sys.executable, "-m", "jisp.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "DATABASE_URL: unsupported scheme 'mysql'" in result.stderr
    assert "Traceback" not in result.stderr
