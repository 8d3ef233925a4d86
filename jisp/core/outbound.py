"""The one guarded HTTP client for every request the platform sends out (webhooks, checks).

A request goes out only to a public address. Before connecting, the host is resolved and every
address it resolves to is checked: private, loopback, link-local, multicast, reserved, unspecified
and other non-global addresses are refused with ``OutboundRefused`` unless they lie inside
``settings.OUTBOUND_ALLOW`` (an operator's allow-list; the tests allow loopback). The connection is
then made to the checked address itself, with the original host in the ``Host`` header and as the
TLS server name (SNI and certificate check), so a second DNS answer cannot send the request
elsewhere (no DNS rebinding between check and connect).

Redirects are not followed unless asked for, and each hop is checked again. Every request has a
timeout (``settings.OUTBOUND_TIMEOUT``) and the response body is read up to a cap. Proxies from the
environment are ignored: they would connect on our behalf to an unchecked address.

Tests patch ``resolve`` (or ``socket.getaddrinfo``) to simulate DNS answers; nothing is sent for
a refused address.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: The largest response body kept, in bytes; the rest is not read.
MAX_RESPONSE_BYTES = 1024 * 1024
#: How many redirects are followed when ``follow_redirects=True``.
MAX_REDIRECTS = 5
USER_AGENT = "JISP/1"


class OutboundError(Exception):
    """A request could not be completed (connection refused, TLS error, bad URL, ...)."""


class OutboundRefused(OutboundError):
    """The target is not allowed: a non-public address outside ``OUTBOUND_ALLOW``, or a bad URL.

    Raised before anything is sent.
    """


class OutboundTimeout(OutboundError):
    """The target did not answer within the timeout."""


@dataclass(frozen=True)
class OutboundResponse:
    """What came back: the status, headers, the body up to the cap, and where it came from."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str
    address: str
    truncated: bool = False
    elapsed: float = 0.0
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundError(f"cannot resolve {host!r}: {exc}") from None
    addresses: list[IPAddress] = []
    for info in infos:
        # The address may carry an IPv6 scope ("fe80::1%eth0"); the scope does not matter here.
        text = str(info[4][0]).split("%", 1)[0]
        address = ipaddress.ip_address(text)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundError(f"cannot resolve {host!r}: no address")
    return addresses


def is_allowed_by_operator(address: IPAddress) -> bool:
    """Whether the address lies inside ``settings.OUTBOUND_ALLOW``."""
    return any(address in network for network in _allow_list())


def is_public(address: IPAddress) -> bool:
    """Whether the address is a globally routable unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_address(address: IPAddress) -> None:
    """Raise ``OutboundRefused`` unless a request may go to this address."""
    if is_allowed_by_operator(address):
        return
    if not is_public(address):
        raise OutboundRefused(f"the address {address} is not public and not allowed")


def check_url(url: str) -> tuple[httpx.URL, list[IPAddress]]:
    """Parse and check a URL: http(s), a host, and addresses that may be reached.

    Returns the parsed URL and the checked addresses (the first is the one to connect to).
    Raises ``OutboundRefused`` for a bad or refused URL, ``OutboundError`` if the host does not
    resolve.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise OutboundRefused(f"not a valid URL: {exc}") from None
    if parsed.scheme not in {"http", "https"}:
        raise OutboundRefused("only http:// and https:// URLs may be requested")
    if not parsed.host:
        raise OutboundRefused("the URL has no host")
    if parsed.userinfo:
        raise OutboundRefused("credentials in the URL are not allowed")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = resolve(parsed.host, port)
    for address in addresses:
        check_address(address)
    return parsed, addresses


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    timeout: float | None = None,
    follow_redirects: bool = False,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> OutboundResponse:
    """Send one request through the guard and return the response (any status).

    Raises ``OutboundRefused`` (nothing sent), ``OutboundTimeout`` or ``OutboundError``.
    """
    seconds = float(settings.OUTBOUND_TIMEOUT if timeout is None else timeout)
    redirects: list[str] = []
    current_method, current_url, current_content = method.upper(), url, content
    while True:
        response = _send_once(
            current_method, current_url, headers or {}, current_content, seconds, max_bytes
        )
        location = response.headers.get("location")
        if not follow_redirects or response.status_code not in {301, 302, 303, 307, 308}:
            return _with_redirects(response, redirects)
        if not location:
            return _with_redirects(response, redirects)
        if len(redirects) >= MAX_REDIRECTS:
            raise OutboundError("too many redirects")
        redirects.append(current_url)
        current_url = urljoin(current_url, location)
        if response.status_code == 303 or (
            response.status_code in {301, 302} and current_method == "POST"
        ):
            current_method, current_content = "GET", None


def post_json(
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> OutboundResponse:
    """POST a JSON body (already encoded) without following redirects."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return request("POST", url, headers=all_headers, content=body, timeout=timeout)


# --- Internals -------------------------------------------------------------------------------


def _allow_list() -> list[Any]:
    return list(getattr(settings, "OUTBOUND_ALLOW", []) or [])


def _with_redirects(response: OutboundResponse, redirects: list[str]) -> OutboundResponse:
    if not redirects:
        return response
    return OutboundResponse(
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
        url=response.url,
        address=response.address,
        truncated=response.truncated,
        elapsed=response.elapsed,
        redirects=list(redirects),
    )


def _host_header(parsed: httpx.URL) -> str:
    host = parsed.host
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    default = 443 if parsed.scheme == "https" else 80
    if parsed.port and parsed.port != default:
        return f"{host}:{parsed.port}"
    return host


def _send_once(
    method: str,
    url: str,
    headers: Mapping[str, str],
    content: bytes | None,
    timeout: float,
    max_bytes: int,
) -> OutboundResponse:
    parsed, addresses = check_url(url)
    address = addresses[0]
    # Connect to the checked address; the original name goes in Host and in the TLS handshake.
    pinned = parsed.copy_with(host=str(address))
    # httpx's timeout applies to each read; the deadline bounds a slowly dripping answer too.
    deadline = time.monotonic() + timeout
    all_headers = {"User-Agent": USER_AGENT, **headers, "Host": _host_header(parsed)}
    extensions: dict[str, Any] = {}
    if parsed.scheme == "https":
        extensions["sni_hostname"] = parsed.host
    try:
        with httpx.Client(
            timeout=timeout, follow_redirects=False, trust_env=False, http2=False
        ) as client:
            outgoing = client.build_request(
                method, pinned, headers=all_headers, content=content, extensions=extensions
            )
            response = client.send(outgoing, stream=True)
            try:
                body, truncated = _read_capped(response, max_bytes, deadline)
            finally:
                response.close()
            return OutboundResponse(
                status_code=response.status_code,
                headers=response.headers,
                content=body,
                url=str(parsed),
                address=str(address),
                truncated=truncated,
                elapsed=response.elapsed.total_seconds(),
            )
    except httpx.TimeoutException as exc:
        raise OutboundTimeout(f"no answer within {timeout:g} s ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise OutboundError(f"{type(exc).__name__}: {exc}") from None


def _read_capped(response: httpx.Response, max_bytes: int, deadline: float) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the response took too long", request=response.request)
        if size + len(chunk) > max_bytes:
            chunks.append(chunk[: max_bytes - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False
