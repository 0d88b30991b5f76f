"""Creating, finding and revoking API tokens (the writes and the one lookup of `ApiToken`).

A token reads `wb_<prefix>_<secret>`: the prefix (8 characters) finds the row, the whole token's
SHA-256 is compared with the stored digest in constant time. Tokens are random (256 bits from
`secrets`), so a fast hash is enough: there is nothing to guess (unlike a password).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from workbench.history import record_change
from workbench.models import User

TOKEN_PREFIX = "wb_"
PREFIX_CHARS = 8
# The last use is written at most this often a token: no UPDATE on every request.
LAST_USED_PRECISION = timedelta(seconds=60)
MAX_EXPIRY_DAYS = 3650


class TokenRefused(ValueError):
    """A token that cannot be created as asked (the message names the field)."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the only time it is known: show it once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_days: int | None) -> NewToken:
    """Make a token for `user`, expiring after `expires_days` (None: never)."""
    name = name.strip()
    if not name:
        raise TokenRefused("name: say what the token is for.")
    if len(name) > 100:
        raise TokenRefused(f"name: at most 100 characters ({len(name)}).")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise TokenRefused(f"expires: between 1 and {MAX_EXPIRY_DAYS} days ({expires_days}).")
    prefix = secrets.token_hex(PREFIX_CHARS // 2)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(PREFIX_CHARS // 2)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    record_change(token, by=user, reason="API token created")
    token.save()
    return NewToken(token, secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token (its owner or an admin); revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        record_change(token, by=by, reason="API token revoked")
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The usable token `secret` is, with its user; None for anything else (unknown, wrong,
    expired, revoked, or a user who cannot log in). Notes the last use."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    if len(prefix) != PREFIX_CHARS:
        return None
    token = ApiToken.objects.usable().select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
