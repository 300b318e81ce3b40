"""The model endpoints' own ASGI handler answers with the headers Django's middleware would
have set: a whole answer's length, and no content-type sniffing, on answers and refusals."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_answers_and_refusals_carry_their_length_and_nosniff(acme_client) -> None:
    base, auth = str(acme_client.base_url), {"Authorization": f"Bearer {acme_client.token}"}
    listed = httpx.get(f"{base}models", headers=auth)
    refused = httpx.post(f"{base}chat/completions", content=b"{not json",
                         headers={**auth, "Content-Type": "application/json"})
    for response in (listed, refused):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert int(response.headers["Content-Length"]) == len(response.content)
        assert "chunked" not in response.headers.get("Transfer-Encoding", "")
    assert listed.status_code == 200 and refused.status_code == 400
    assert refused.json()["error"]["type"] == "invalid_request_error"
