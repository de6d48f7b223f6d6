"""Webhook delivery: an event's JSON body POSTed with its HMAC-SHA256 signature, retried with exponential
backoff, over a client that connects only where the address guard allows (``sources.web``).

A 2xx answer is a delivery. A timeout, a refused connection, 408, 429 or 5xx is tried again, here with
backoff (when the run allows more than one try) and on the next run after that; another answer (a 4xx, a
redirect) is final. An address the guard refuses is not tried, and waits for the next run: the refusal
follows ``webhook_allow_private``, which the user may turn on before it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ssbrace.errors import BlockedAddressError, FetchError
from ssbrace.sources.guard import AddressGuard
from ssbrace.sources.web import FetchOptions, check_source_url, http_host_port, make_client

SIGNATURE_HEADER = "X-Ssbrace-Signature"
DELIVERY_HEADER = "X-Ssbrace-Delivery"
EVENT_HEADER = "X-Ssbrace-Event"
_RETRIED = frozenset({408, 429})


def sign(body: bytes, secret: str) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the body under the secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str | None) -> bool:
    """What a receiver does: recompute the signature and compare in constant time."""
    return bool(header) and hmac.compare_digest(sign(body, secret), str(header))


def check_webhook_url(url: str, allow_private: bool = False) -> None:
    """Refuse, at registration, a URL that would never be delivered to: as ``sources.web.check_source_url``.

    Raises:
        FetchError: not http(s), no host, or a literal private address without ``allow_private``.
    """
    check_source_url(url, allow_private)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one run tries: ``attempts`` tries, waiting ``backoff`` seconds, then twice as long each time
    (at most ``max_backoff``); ``max_attempts`` across runs before an event is given up."""

    attempts: int = 3
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_attempts: int = 10

    def delay(self, tried: int) -> float:
        """Seconds to wait after the ``tried``-th failure."""
        return min(self.backoff * (2 ** (tried - 1)), self.max_backoff)


@dataclass(frozen=True)
class Outcome:
    """What one run did with one event: ``sent``, ``pending`` (try again next run) or ``failed`` (given up)."""

    status: str
    attempts: int  # in all, across runs
    response: int | None = None
    error: str | None = None


def _final(code: int) -> bool:
    return not (code in _RETRIED or code >= 500)


def deliver(client: httpx.Client, guard: AddressGuard, url: str, body: bytes, headers: dict[str, str], *,
            policy: RetryPolicy, tried_before: int = 0, sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """POST one body until it is accepted, a final answer comes, or this run's tries are spent.

    Args:
        client: from ``webhook_client``; it never follows a redirect.
        guard: checked before each try (the client checks again at connect time).
        tried_before: attempts made by earlier runs.
        sleep: how to wait between tries.
    """
    tried = tried_before
    code: int | None = None
    error: str | None = None
    for attempt in range(policy.attempts):
        if tried >= policy.max_attempts:
            break
        if attempt:
            sleep(policy.delay(attempt))
        tried += 1
        try:
            guard.resolve(*http_host_port(url))
            response = client.post(url, content=body, headers=headers)
        except BlockedAddressError as exc:  # no request made; the setting may allow it on a later run
            status = "failed" if tried >= policy.max_attempts else "pending"
            return Outcome(status, tried, None, blocked_message(str(exc)))
        except FetchError as exc:  # an unresolvable name may resolve later
            code, error = None, str(exc)
            continue
        except httpx.HTTPError as exc:
            code, error = None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            continue
        code = response.status_code
        if 200 <= code < 300:
            return Outcome("sent", tried, code, None)
        error = f"HTTP {code}"
        if _final(code):
            return Outcome("failed", tried, code, error)
    return Outcome("failed" if tried >= policy.max_attempts else "pending", tried, code, error)


def blocked_message(message: str) -> str:
    """The address guard's refusal, naming the setting that allows webhooks to private addresses."""
    return message.replace("(use --allow-private)", "(set webhook_allow_private to allow it)")


def webhook_client(options: FetchOptions) -> httpx.Client:
    """The guarded client of ``sources.web`` (no redirects followed, no proxy from the environment)."""
    return make_client(options)


def headers_for(body: bytes, secret: str, event: str, delivery_id: str, user_agent: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": user_agent, EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_id, SIGNATURE_HEADER: sign(body, secret)}
