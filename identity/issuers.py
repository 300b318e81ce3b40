"""The issuers whose tokens we accept, and their keys: the built-in provider's from this
process's own key ring, an enterprise IdP's from its JWKS over HTTP (cached, refetched once on
an unknown key id, at most every few seconds)."""

from __future__ import annotations

import functools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from django.conf import settings
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from identity.tokens import builtin_issuer, key_id

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
JWKS_TTL_SECONDS = 3600
DISCOVERY_TTL_SECONDS = 3600


class IssuerUnavailable(Exception):
    """The IdP's discovery document or JWKS could not be read."""


@dataclass
class Issuer:
    name: str
    algorithms: frozenset[str]
    builtin: bool

    def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        raise NotImplementedError


@dataclass
class BuiltinIssuer(Issuer):
    def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        return _builtin_keys(
            str(oauth2_settings.OIDC_RSA_PRIVATE_KEY),
            tuple(oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE),
        ).get(kid or "")


@functools.cache
def _builtin_keys(active: str, inactive: tuple[str, ...]) -> dict[str, jwt.PyJWK]:
    keys = {}
    for pem in (active, *inactive):
        public = json.loads(jwk_from_pem(pem).export_public())
        keys[key_id(pem)] = jwt.PyJWK({**public, "alg": "RS256", "use": "sig"})
    return keys


@dataclass
class RemoteIssuer(Issuer):
    jwks_uri: str = ""
    _keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    _fetched_at: float = 0.0
    _failed_at: float = -1e9
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        now = time.monotonic()
        if not self._keys or now - self._fetched_at > JWKS_TTL_SECONDS:
            self._refresh(now)
        key = self._lookup(kid)
        if key is None and now - self._fetched_at >= settings.OIDC_JWKS_MIN_REFETCH_SECONDS:
            self._refresh(now)  # an unknown kid may be a key the IdP rotated in: look once more
            key = self._lookup(kid)
        return key

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid or "")

    def _refresh(self, now: float) -> None:
        with self._lock:
            # An IdP that could not answer is not asked again for a while: each token naming it
            # (or an unknown kid of it) would wait on it in turn, holding a thread each.
            if time.monotonic() - self._failed_at < settings.OIDC_JWKS_MIN_REFETCH_SECONDS:
                raise IssuerUnavailable(f"{self.jwks_uri} could not be read moments ago")
            try:
                document = _fetch_json(self.jwks_uri)
            except IssuerUnavailable:
                self._failed_at = time.monotonic()
                raise
            keys: dict[str, jwt.PyJWK] = {}
            for data in document.get("keys", []):
                if data.get("use", "sig") != "sig" or data.get("kty") == "oct":
                    continue
                try:
                    keys[data.get("kid", "")] = jwt.PyJWK(data)
                except jwt.PyJWTError:
                    continue  # a key type this library cannot use; others may do
            self._keys = keys
            self._fetched_at = now


def _fetch_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=settings.OIDC_TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise IssuerUnavailable(f"could not read {url}: {error}") from error
    if not isinstance(data, dict):
        raise IssuerUnavailable(f"{url} did not return a JSON object")
    return data


_remote: dict[str, RemoteIssuer] = {}
_metadata: dict[str, tuple[float, dict[str, Any]]] = {}
_remote_lock = threading.Lock()


def discovery_url() -> str:
    return settings.OIDC_DISCOVERY_URL or f"{settings.OIDC_ISSUER}/.well-known/openid-configuration"


def provider_metadata() -> dict[str, Any]:
    """The enterprise IdP's discovery document (cached)."""
    return _remote_issuer_and_metadata()[1]


def _remote_issuer_and_metadata() -> tuple[RemoteIssuer, dict[str, Any]]:
    url = discovery_url()
    now = time.monotonic()
    with _remote_lock:
        cached = _metadata.get(url)
        if cached is None or now - cached[0] > DISCOVERY_TTL_SECONDS:
            metadata = _fetch_json(url)
            if metadata.get("issuer", "").rstrip("/") != settings.OIDC_ISSUER:
                raise IssuerUnavailable(
                    f"{url} names issuer {metadata.get('issuer')!r}, not {settings.OIDC_ISSUER!r}"
                )
            _metadata[url] = (now, metadata)
            published = set(metadata.get("id_token_signing_alg_values_supported", ["RS256"]))
            _remote[url] = RemoteIssuer(
                name=settings.OIDC_ISSUER,
                algorithms=frozenset(published & ASYMMETRIC_ALGORITHMS),
                builtin=False,
                jwks_uri=metadata["jwks_uri"],
            )
        return _remote[url], _metadata[url][1]


def trusted_issuer(name: str) -> Issuer | None:
    """The issuer called `name` if we trust it: the built-in provider, or the configured IdP."""
    if name == builtin_issuer():
        return BuiltinIssuer(name=name, algorithms=frozenset({"RS256"}), builtin=True)
    if settings.OIDC_ISSUER and name.rstrip("/") == settings.OIDC_ISSUER:
        return _remote_issuer_and_metadata()[0]
    return None
