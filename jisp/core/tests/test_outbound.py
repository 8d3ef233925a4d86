"""The guarded outbound client: real requests to a receiver on 127.0.0.1, refusals without sending.

Refusals are tested by making DNS answer with a private address (``socket.getaddrinfo`` patched for
made-up names only) or by an address literal, with every way out of the process blocked: nothing may
leave loopback.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from jisp.core import outbound

_real_getaddrinfo = socket.getaddrinfo


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread; records requests, answers as planned.

    ``plan`` is a list of answers used in turn (the last one repeats): a status code, or a dict
    with ``status``, ``headers``, ``body`` and ``sleep``.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.plan: list[Any] = [200]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                index = min(len(receiver.requests), len(receiver.plan)) - 1
                answer = receiver.plan[index]
                if isinstance(answer, int):
                    answer = {"status": answer}
                if answer.get("sleep"):
                    time.sleep(answer["sleep"])
                payload = answer.get("body", b"ok")
                self.send_response(answer["status"])
                for name, value in answer.get("headers", {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(payload)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def fake_dns(answers: dict[str, list[str]]) -> Any:
    """A ``getaddrinfo`` that answers made-up names from ``answers`` and refuses others.

    Address literals go to the real function (which does not touch the network for them).
    """

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in answers:
            result = []
            for text in answers[name]:
                family = socket.AF_INET6 if ":" in text else socket.AF_INET
                sockaddr: tuple[Any, ...] = (
                    (text, port, 0, 0) if family == socket.AF_INET6 else (text, port)
                )
                result.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
            return result
        try:
            ipaddress.ip_address(name)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "made-up name not found") from None
        return _real_getaddrinfo(host, port, *args, **kwargs)

    return getaddrinfo


@pytest.fixture
def nothing_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to open a connection."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_it_sends_a_request_to_an_allowed_loopback_address(receiver: Receiver) -> None:
    response = outbound.request("GET", f"{receiver.url}/ping?x=1")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response.address == "127.0.0.1"
    assert receiver.requests[0]["path"] == "/ping?x=1"
    assert receiver.requests[0]["headers"]["host"] == f"127.0.0.1:{receiver.port}"


def test_it_posts_json_with_the_headers_given(receiver: Receiver) -> None:
    body = json.dumps({"a": 1}).encode()
    response = outbound.post_json(f"{receiver.url}/hook", body, headers={"X-Test": "yes"})
    assert response.ok
    seen = receiver.requests[0]
    assert seen["method"] == "POST"
    assert seen["body"] == body
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["x-test"] == "yes"


def test_it_connects_to_the_checked_address_and_keeps_the_name_in_the_host_header(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])  # a rebinding DNS: safe first, private after

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.example.test":
            calls.append(host)
            return fake_dns({"hooks.example.test": next(answers)})(host, port)
        return fake_dns({})(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    response = outbound.request("GET", f"http://hooks.example.test:{receiver.port}/x")
    assert response.status_code == 200
    assert calls == ["hooks.example.test"]  # resolved once; the connection used that answer
    assert receiver.requests[0]["headers"]["host"] == f"hooks.example.test:{receiver.port}"


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.10",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104
        "224.0.0.251",
        "240.0.0.1",
        "fc00::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "ff02::1",
        "::",
    ],
)
def test_it_refuses_a_name_that_resolves_to_a_non_public_address_without_sending(
    address: str, monkeypatch: pytest.MonkeyPatch, nothing_leaves: None
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_dns({"inside.example.test": [address]}))
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("POST", "https://inside.example.test/hook", content=b"{}")


def test_it_refuses_a_name_with_one_private_address_among_public_ones(
    monkeypatch: pytest.MonkeyPatch, nothing_leaves: None
) -> None:
    answers = {"mixed.example.test": ["203.0.113.10", "8.8.8.8", "10.1.1.1"]}
    monkeypatch.setattr(socket, "getaddrinfo", fake_dns(answers))
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", "https://mixed.example.test/")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://[::1]:9/", "http://localhost:9/"])
def test_it_refuses_loopback_when_the_operator_has_not_allowed_it(
    url: str, settings: Any, monkeypatch: pytest.MonkeyPatch, nothing_leaves: None
) -> None:
    settings.OUTBOUND_ALLOW = []
    monkeypatch.setattr(socket, "getaddrinfo", fake_dns({"localhost": ["127.0.0.1", "::1"]}))
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", url)


def test_it_lets_the_operator_allow_a_private_network(settings: Any) -> None:
    settings.OUTBOUND_ALLOW = [ipaddress.ip_network("10.20.0.0/16")]
    outbound.check_address(ipaddress.ip_address("10.20.1.2"))  # no error, nothing sent
    with pytest.raises(outbound.OutboundRefused):
        outbound.check_address(ipaddress.ip_address("10.21.1.2"))


def test_it_accepts_public_addresses(settings: Any) -> None:
    settings.OUTBOUND_ALLOW = []
    for text in ("203.0.113.7", "8.8.8.8", "2001:4860:4860::8888"):
        address = ipaddress.ip_address(text)
        if address.is_global:  # 203.0.113.0/24 is documentation space: not global
            outbound.check_address(address)
    assert outbound.is_public(ipaddress.ip_address("8.8.8.8"))
    assert not outbound.is_public(ipaddress.ip_address("203.0.113.7"))


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1/", "http:///nohost", "nonsense"],
)
def test_it_refuses_what_is_not_an_http_url(url: str, nothing_leaves: None) -> None:
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", url)


def test_it_refuses_credentials_in_the_url(nothing_leaves: None) -> None:
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", "http://user:pass@127.0.0.1:9/")


def test_it_reports_a_name_that_does_not_resolve(
    monkeypatch: pytest.MonkeyPatch, nothing_leaves: None
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_dns({}))
    with pytest.raises(outbound.OutboundError, match="cannot resolve") as caught:
        outbound.request("GET", "https://nowhere.example.test/")
    assert not isinstance(caught.value, outbound.OutboundRefused)


def test_it_does_not_follow_redirects_by_default(receiver: Receiver) -> None:
    receiver.plan = [{"status": 302, "headers": {"Location": "/elsewhere"}}, 200]
    response = outbound.request("GET", f"{receiver.url}/start")
    assert response.status_code == 302
    assert [r["path"] for r in receiver.requests] == ["/start"]


def test_it_follows_redirects_when_asked_and_checks_every_hop(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver.plan = [
        {"status": 302, "headers": {"Location": "/second"}},
        {"status": 307, "headers": {"Location": "http://10.0.0.1/metadata"}},
    ]
    sent: list[str] = []
    real_send = httpx.Client.send

    def recording_send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> Any:
        sent.append(str(request.url))
        assert request.url.host == "127.0.0.1"
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", recording_send)
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", f"{receiver.url}/first", follow_redirects=True)
    assert [r["path"] for r in receiver.requests] == ["/first", "/second"]
    assert len(sent) == 2


def test_it_follows_a_redirect_to_an_allowed_address(receiver: Receiver) -> None:
    receiver.plan = [{"status": 301, "headers": {"Location": "/final"}}, 200]
    response = outbound.request("GET", f"{receiver.url}/first", follow_redirects=True)
    assert response.status_code == 200
    assert response.redirects == [f"{receiver.url}/first"]


def test_it_caps_the_response_body(receiver: Receiver) -> None:
    receiver.plan = [{"status": 200, "body": b"x" * 50_000}]
    response = outbound.request("GET", f"{receiver.url}/big", max_bytes=1000)
    assert len(response.content) == 1000
    assert response.truncated


def test_it_gives_up_after_the_timeout(receiver: Receiver) -> None:
    receiver.plan = [{"status": 200, "sleep": 1.5}]
    started = time.monotonic()
    with pytest.raises(outbound.OutboundTimeout):
        outbound.request("GET", f"{receiver.url}/slow", timeout=0.3)
    assert time.monotonic() - started < 1.4


def test_it_reports_a_refused_connection_as_an_outbound_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(outbound.OutboundError):
        outbound.request("GET", f"http://127.0.0.1:{port}/")


def test_it_ignores_proxies_from_the_environment(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{closed}")
    assert outbound.request("GET", f"{receiver.url}/direct").status_code == 200
