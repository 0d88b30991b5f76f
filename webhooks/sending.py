"""One signed POST of a webhook: the Standard Webhooks headers, to the checked address.

The signature is the `standardwebhooks` package's (`Webhook(secret).sign`): receivers verify
it with the same package (README, "Webhooks"). httpx sends; redirects are never followed (a
3xx is a failed attempt that names where it pointed), and the response body is not read —
only its status matters, and a receiver could send gigabytes.
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import httpx
from django.conf import settings
from standardwebhooks import Webhook

from workbench import outbound

SECRET_PREFIX = "whsec_"
USER_AGENT = "claim-workbench-webhooks/1"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: "whsec_" and base64 of 24 random bytes.

    The package verifies and signs but makes no secrets; this is the form it reads.
    """
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def new_msg_id() -> str:
    """A message id ("msg_…"): the same for every attempt of one delivery (receivers dedupe)."""
    return f"msg_{uuid.uuid4().hex}"


def signed_headers(*, secret: str, msg_id: str, timestamp: datetime, body: bytes) -> dict:
    """The Standard Webhooks headers of `body` sent at `timestamp`."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, timestamp, body),
    }


@dataclass(frozen=True)
class Outcome:
    """What an attempt got: a status code, or the reason it has none, and how long it took."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def post(*, url: str, secret: str, msg_id: str, body: bytes, timestamp: datetime) -> Outcome:
    """POST `body` to `url`, signed, after checking where the URL leads (workbench.outbound).

    Connects to the checked address (the Host header and the TLS server name stay the URL's
    host, so virtual hosts and certificates work). A 2xx is delivered; a 3xx is a failure
    saying "redirect to … not followed"; no answer within WEBHOOK_TIMEOUT_SECONDS is one.
    """
    started = time.monotonic()

    def outcome(status_code: int | None, error: str = "") -> Outcome:
        return Outcome(status_code, error, round((time.monotonic() - started) * 1000))

    headers = {
        **signed_headers(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    try:
        with (
            outbound.client(
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                purpose="webhooks",
                follow_redirects=False,
            ) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            status = response.status_code
            if response.is_redirect or 300 <= status < 400:
                where = response.headers.get("location", "nowhere")
                return outcome(status, f"redirect to {where} not followed")
            return outcome(status)
    except outbound.URLRefused as exc:
        return outcome(None, f"refused: {exc}")
    except httpx.TimeoutException:
        return outcome(None, f"no answer within {settings.WEBHOOK_TIMEOUT_SECONDS:g} s")
    except httpx.HTTPError as exc:
        return outcome(None, f"{type(exc).__name__}: {exc}")
