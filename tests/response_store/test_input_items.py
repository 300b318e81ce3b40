"""A stored response's query strings: `GET /responses/{id}` refuses what it does not honour
(streaming it again, `include`) by name, and `GET /responses/{id}/input_items` lists the items
that led to it as OpenAI does, a page at a time, to its owner only."""

from __future__ import annotations

import httpx
import pytest

from tests.response_store.conftest import MODEL

pytestmark = pytest.mark.django_db(transaction=True)


def test_retrieve_refuses_what_it_does_not_honour_and_input_items_pages(acme, upstream) -> None:
    first = acme.responses.create(model=MODEL, input="Hi")
    second = acme.responses.create(
        model=MODEL,
        previous_response_id=first.id,
        input=[{"role": "user", "content": [{"type": "input_text", "text": "And then?"}]}],
    )
    headers = {"Authorization": f"Bearer {acme.api_key}"}
    with httpx.Client(base_url=str(acme.base_url), headers=headers, timeout=30) as client:
        path = f"responses/{second.id}"
        for query, param in [
            ({"stream": "true"}, "stream"),
            ({"starting_after": "3"}, "starting_after"),
            ({"include[]": "reasoning.encrypted_content"}, "include"),
            ({"frobnicate": "1"}, "frobnicate"),
        ]:
            refused = client.get(path, params=query)
            assert refused.status_code == 400 and refused.json()["error"]["param"] == param
        assert client.get(path, params={"stream": "false"}).json()["id"] == second.id
        assert client.delete(path, params={"stream": "false"}).status_code == 400
        for query, param in [
            ({"limit": "0"}, "limit"),
            ({"order": "up"}, "order"),
            ({"after": "msg_x"}, "after"),
            ({"before": "x"}, "before"),
        ]:
            refused = client.get(f"{path}/input_items", params=query)
            assert refused.status_code == 400 and refused.json()["error"]["param"] == param

    newest_first = acme.responses.input_items.list(second.id)
    texts = [item.content[0].text for item in newest_first.data]
    assert texts == ["And then?", "Hello there", "Hi"]
    assert newest_first.first_id == newest_first.data[0].id and not newest_first.has_more
    page = acme.responses.input_items.list(second.id, order="asc", limit=2)
    assert [item.content[0].text for item in page.data] == ["Hi", "Hello there"]
    assert page.has_more and page.last_id == page.data[-1].id
    rest = acme.responses.input_items.list(second.id, order="asc", after=page.last_id)
    assert [item.content[0].text for item in rest.data] == ["And then?"] and not rest.has_more
