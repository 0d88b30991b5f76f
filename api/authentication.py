"""`Authorization: Bearer <token>` for the API (DRF authentication); sessions work too."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from api.tokens import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """A user's API token (api/tokens.py). A request without the header is left to the next
    authentication (the session); a bad token is refused, never treated as anonymous."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        secret = secret.strip()
        if not secret:
            raise exceptions.AuthenticationFailed("Authorization: Bearer needs a token.")
        token = api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "The token is unknown, expired or revoked: create a new one on your tokens page."
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
