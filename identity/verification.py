"""Checking a JWT locally: structure, algorithm, issuer, key, signature, time and audience.
Each refusal says what was wrong, never what the token was expected to say."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from identity.issuers import IssuerUnavailable, trusted_issuer


class InvalidToken(Exception):
    """The bearer token cannot be accepted; the message is safe to show to the caller."""


@dataclass(frozen=True)
class VerifiedToken:
    issuer: str
    subject: str
    claims: dict[str, Any]
    builtin: bool
    key: jwt.PyJWK | None = field(default=None, compare=False, repr=False)  # it verified with


def verify_jwt(raw: str, *, audience: str, audience_claim: str = "aud") -> VerifiedToken:
    """Verify `raw` against the keys of the issuer it names, which must be one we trust."""
    try:
        header = jwt.get_unverified_header(raw)
        unverified = jwt.decode(raw, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise InvalidToken("The token is malformed: expected a signed JWT.") from None
    issuer_name = unverified.get("iss")
    if not isinstance(issuer_name, str):
        raise InvalidToken("The token has no issuer.")
    try:
        issuer = trusted_issuer(issuer_name)
    except IssuerUnavailable:
        raise InvalidToken("The token's issuer cannot be reached to check its keys.") from None
    if issuer is None:
        raise InvalidToken("The token's issuer is not trusted here.")
    algorithm = header.get("alg")
    if algorithm not in issuer.algorithms:
        raise InvalidToken(f"The signing algorithm {algorithm!r} is not accepted.")
    try:
        key = issuer.key_for(header.get("kid"))
    except IssuerUnavailable:
        raise InvalidToken("The token's issuer cannot be reached to check its keys.") from None
    if key is None:
        raise InvalidToken("The token was signed with a key the issuer does not publish.")

    check_aud = audience_claim == "aud"
    try:
        claims = jwt.decode(
            raw,
            key.key,
            algorithms=[algorithm],
            issuer=issuer_name,
            audience=audience if check_aud else None,
            leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": check_aud},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("The token has expired.") from None
    except jwt.ImmatureSignatureError:
        raise InvalidToken("The token is not valid yet.") from None
    except (jwt.InvalidAudienceError, jwt.MissingRequiredClaimError) as error:
        if isinstance(error, jwt.MissingRequiredClaimError) and error.claim != "aud":
            raise InvalidToken(f"The token lacks the {error.claim!r} claim.") from None
        raise InvalidToken("The token is not meant for this API (audience).") from None
    except jwt.InvalidSignatureError:
        raise InvalidToken("The token's signature does not verify.") from None
    except jwt.PyJWTError:
        raise InvalidToken("The token is malformed: expected a signed JWT.") from None
    if not check_aud and claims.get(audience_claim) != audience:
        raise InvalidToken("The token is not meant for this API (audience).")
    return VerifiedToken(
        issuer=issuer_name,
        subject=str(claims["sub"]),
        claims=claims,
        builtin=issuer.builtin,
        key=key,
    )


def verify_access_token(raw: str) -> VerifiedToken:
    """An access token for our API. A program sends the same token on every call for its
    lifetime: once its signature has verified, later calls only check that it has not expired and
    that its issuer still publishes the very key that signed it (so a key withdrawn from the JWKS
    refuses its tokens once the JWKS is read again, even where a new key took its kid).
    Revocation of the account behind it is checked on every call by identity.principals."""
    audience, claim = settings.OIDC_API_AUDIENCE, settings.OIDC_API_AUDIENCE_CLAIM
    known = _verified.get(raw, audience, claim)
    if known is not None:
        return known
    token = verify_jwt(raw, audience=audience, audience_claim=claim)
    _verified.put(raw, audience, claim, token)
    return token


class _VerifiedTokens:
    """Tokens whose signature verified, until they expire; bounded, oldest dropped first."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], _Verified] = {}
        self._lock = threading.Lock()

    def get(self, raw: str, audience: str, claim: str) -> VerifiedToken | None:
        entry = self._tokens.get((raw, audience, claim))
        if entry is None:
            return None
        if time.time() >= entry.expires + settings.OIDC_CLOCK_SKEW_SECONDS:
            return None  # the full check says "expired"
        try:
            issuer = trusted_issuer(entry.token.issuer)
            key = issuer.key_for(entry.kid) if issuer is not None else None
        except IssuerUnavailable:
            return None
        # The key published under that kid now: the same object until the JWKS is read again,
        # then the same public key, or not the key that signed this token.
        if key is None or (key is not entry.key and _public(key) != _public(entry.key)):
            return None  # the full check says why
        return entry.token

    def put(self, raw: str, audience: str, claim: str, token: VerifiedToken) -> None:
        kid, key = jwt.get_unverified_header(raw).get("kid"), token.key
        if key is None:
            return
        with self._lock:
            if len(self._tokens) >= self.LIMIT:
                del self._tokens[next(iter(self._tokens))]
            self._tokens[(raw, audience, claim)] = _Verified(
                token, kid, key, float(token.claims["exp"])
            )


@dataclass(frozen=True)
class _Verified:
    token: VerifiedToken
    kid: str | None
    key: jwt.PyJWK  # the key its signature verified with
    expires: float


def _public(key: jwt.PyJWK) -> bytes:
    """A public key's bytes (SubjectPublicKeyInfo, DER), to tell two keys apart."""
    return bytes(key.key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


_verified = _VerifiedTokens()
