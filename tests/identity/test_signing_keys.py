"""Key rotation without downtime: the next key is published before it signs, the old one stays
published after it stops signing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from oauth2_provider.utils import jwk_from_pem

from identity.services import mint_member_token
from identity.signing_keys import load_key_ring, rotate_key_ring

pytestmark = pytest.mark.django_db


def thumbprints(ring) -> set[str]:
    return {jwk_from_pem(pem).thumbprint() for pem in (ring.active, *ring.published)}


def test_rotation_promotes_the_published_next_key_and_keeps_the_old_one(tmp_path: Path) -> None:
    before = load_key_ring(tmp_path)
    assert load_key_ring(tmp_path) == before  # stable across processes
    rotate_key_ring(tmp_path, keep_retired_seconds=3600)
    after = load_key_ring(tmp_path)
    assert after.active == before.published[0]  # the next key, already published, now signs
    assert before.active in after.published  # the old key still verifies
    assert len(thumbprints(after)) == 3


def test_retired_keys_are_pruned_after_their_time(tmp_path: Path) -> None:
    first = load_key_ring(tmp_path)
    rotate_key_ring(tmp_path, keep_retired_seconds=3600)
    (retired,) = tmp_path.glob("retired-*.pem")
    retired.rename(tmp_path / "retired-1000.pem")  # retired long ago
    rotate_key_ring(tmp_path, keep_retired_seconds=3600)
    assert first.active not in load_key_ring(tmp_path).published


def test_tokens_signed_before_a_rotation_still_work_after_it(
    tmp_path: Path, settings, module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    user = make_user("kim", roles={acme: "member"})

    def use_ring() -> None:
        ring = load_key_ring(tmp_path)
        settings.OAUTH2_PROVIDER = {
            **settings.OAUTH2_PROVIDER,
            "OIDC_RSA_PRIVATE_KEY": ring.active,
            "OIDC_RSA_PRIVATE_KEYS_INACTIVE": list(ring.published),
        }

    use_ring()
    old_token = mint_member_token(user=user, tenant=acme)
    rotate_key_ring(tmp_path, keep_retired_seconds=3600)
    use_ring()
    new_token = mint_member_token(user=user, tenant=acme)
    for token in (old_token, new_token):
        response = Client().get(f"/t/{acme.slug}/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
    jwks = Client().get("/idp/.well-known/jwks.json").json()
    assert len(jwks["keys"]) == 3
