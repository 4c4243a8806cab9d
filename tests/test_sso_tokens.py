"""Issue 11 (6): the ID token a school's provider returns is accepted only if that provider
issued it, for ypsi, and it has not expired. allauth's OpenID Connect adapter checks this; the
tests are here so that an upgrade, a setting or an adapter of our own that stopped checking
fails the suite. The token is taken straight from the provider's token endpoint (code flow), so,
as OpenID Connect Core 3.1.3.7 allows, its signature is not what is relied on: the issuer, the
audience and the expiry are. No nonce is sent or checked: the code flow with PKCE (required,
settings.SOCIALACCOUNT_PROVIDERS) and allauth's state are what bind the answer to the sign-in."""

import time
import uuid
from types import SimpleNamespace

import jwt
import pytest
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.test import RequestFactory

ISSUER = "https://login.example.invalid/hillside/v2.0"
CLIENT_ID = "ypsi-hillside"


def adapter() -> OpenIDConnectOAuth2Adapter:
    """Hillside's adapter as it is after the code was exchanged at the token endpoint."""
    a = OpenIDConnectOAuth2Adapter(RequestFactory().get("/"), "hillside")
    a._openid_config = {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/keys"}
    a.did_fetch_access_token = True
    return a


def id_token(**claims) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "dsl-hillside",
        "email": "dsl@example.invalid",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    } | claims
    return jwt.encode(body, "its signature is not what is relied on here", algorithm="HS256")


def decode(token: str) -> dict:
    return adapter()._decode_id_token(SimpleNamespace(client_id=CLIENT_ID), token)


def test_the_schools_own_token_for_ypsi_is_accepted():
    assert decode(id_token())["email"] == "dsl@example.invalid"


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-service"},  # issued for another application
        {"iss": "https://login.example.invalid/elsewhere/v2.0"},  # by another tenant
        {"exp": int(time.time()) - 60},  # expired
    ],
    ids=["another audience", "another issuer", "expired"],
)
def test_a_token_for_another_service_from_another_issuer_or_expired_is_refused(claims):
    with pytest.raises(OAuth2Error, match="Invalid id_token"):
        decode(id_token(**claims))


def test_a_token_is_accepted_once():
    token = id_token()
    decode(token)
    with pytest.raises(OAuth2Error, match="already used"):
        decode(token)
