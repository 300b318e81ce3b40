"""The playground in a real browser, served by the ASGI application (the answer streams): a member
signs in, chats with the local model and watches the answer arrive piece by piece, leaves
feedback, copies, regenerates and edits-and-resends, searches their conversations, compares two
models streaming side by side (or learns why one model cannot be compared), sees a slow model
starting, stops a long answer, grounds an answer in a knowledge base and opens a citation (also
from the answer's [n] markers), fills a shared prompt template, and reads the budget-exhausted
message in place."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from budgets.services import set_budget
from evaluation.models import Feedback
from identity.services import ensure_portal_client
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model, revoke_grant
from models_catalog.services.catalog import set_price
from playground import services
from playground.models import PromptTemplate, Turn
from tenants.models import Tenant
from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import sign_in
from tests.gateway.upstreams import Upstream
from tests.knowledge.conftest import FIXTURES, ingested, knowledge_base
from tests.waiting import eventually

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # WhiteNoise's static files under ASGI: a known cost, silenced in portal/asgi.py too.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

LOCAL = "local/gemma-3-270m"
TEAM = "team-model"
PHONE = {"width": 390, "height": 844}
ANSWER_MS = 60_000

# Records the answer's length at every change the page makes to it, for "token by token".
WATCH_ANSWER = """() => {
    window.lengths = [];
    new MutationObserver(() => {
        const answers = document.querySelectorAll("[data-testid=answer]");
        if (answers.length) window.lengths.push(answers[answers.length - 1].textContent.length);
    }).observe(document.querySelector("[data-log=chat]"),
               {childList: true, subtree: true, characterData: true});
}"""


@pytest.fixture
def site(asgi_url: str, settings: Any) -> str:
    """The ASGI server, acting as its own OpenID provider (as `portal_url` does for WSGI)."""
    settings.PUBLIC_URL = asgi_url
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": f"{asgi_url}/idp"}
    ensure_portal_client()
    return asgi_url


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """A second chat model, `team-model`: an OpenAI-compatible server on loopback, priced."""
    server = Upstream()
    provider = Provider.objects.create(
        name="team-upstream", kind="openai_compatible", endpoint_url=server.url
    )
    model = FoundationModel.objects.create(
        name=TEAM, provider=provider, provider_model_id="team", display_name="Team model",
        modality="chat",
    )  # fmt: skip
    set_price(model=model, input_per_million="3", output_per_million="15", currency="USD",
              effective_from=timezone.now() - timezone.timedelta(days=1), actor="test")  # fmt: skip
    yield server
    server.server.shutdown()


def open_playground(page: Page, site: str, tenant: Tenant, name: str) -> None:
    sign_in(page, site, tenant.slug, name, f"pw-{name}-123")
    expect(page.get_by_test_id("signed-in-user")).to_have_text(name)
    page.get_by_role("navigation", name="Tenant").get_by_role("link", name="Playground").click()
    expect(page.get_by_role("heading", name="Playground", exact=True)).to_be_visible()


def ask(page: Page, prompt: str, *, model: str | None = None, max_tokens: int = 24) -> None:
    if model:
        page.get_by_label("Model", exact=True).select_option(model)
    page.get_by_label("Temperature").fill("0")
    page.get_by_label("Max tokens").fill(str(max_tokens))
    page.get_by_label("Prompt", exact=True).fill(prompt)
    page.get_by_role("button", name="Send").click()


def test_a_member_chats_streams_and_leaves_feedback(
    page: Page, site, make_tenant, make_user
) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=LOCAL, tenants=[acme], actor="test")
    nina = make_user("nina", roles={acme: "member"})
    open_playground(page, site, acme, "nina")
    screenshot(page, "playground-empty")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    # No dead ends: the prompt has the focus, an empty one says so, Max tokens follows the model,
    # and Compare with the tenant's only model says where another one is asked for.
    prompt = page.get_by_label("Prompt", exact=True)
    expect(prompt).to_be_focused()
    problem = page.locator("[data-form-problem]")
    page.get_by_role("button", name="Send").click()
    expect(problem).to_have_text("Write a prompt first.")
    expect(prompt).to_be_focused()
    limit = FoundationModel.objects.get(name=LOCAL).max_output_tokens
    expect(page.get_by_label("Max tokens")).to_have_attribute("max", str(limit))
    ask(page, "Too long?", model=LOCAL, max_tokens=limit + 1)
    expect(problem).to_contain_text(f"this model writes at most {limit} tokens per answer")
    expect(page.get_by_test_id("assistant-turn")).to_have_count(0)  # nothing was sent
    page.get_by_role("tab", name="Compare models").click()
    one_model = page.get_by_test_id("one-model")
    expect(one_model).to_contain_text("only one chat model")
    expect(one_model.get_by_role("link", name="Models page")).to_have_attribute(
        "href", f"/t/{acme.slug}/models/"
    )
    page.get_by_role("tab", name="Chat").click()

    page.evaluate(WATCH_ANSWER)
    ask(page, "Write one sentence about lighthouses.", model=LOCAL)
    answer = page.get_by_test_id("assistant-turn").last
    expect(answer.get_by_test_id("metrics")).to_be_visible(timeout=ANSWER_MS)
    lengths = page.evaluate("window.lengths")
    growing = sorted(set(lengths))
    assert lengths == sorted(lengths) and len(growing) >= 3, lengths  # arrived piece by piece
    assert answer.get_by_test_id("answer").inner_text().strip()
    metrics = answer.get_by_test_id("metrics")
    expect(metrics.locator("[data-field=input_tokens]")).to_contain_text("tokens in")
    expect(metrics.locator("[data-field=output_tokens]")).to_contain_text("tokens out")
    expect(metrics.locator("[data-field=latency]")).to_have_text(re.compile(r"^[\d.]+ m?s$"))
    expect(metrics.locator("[data-field=cost]")).to_contain_text("$")
    expect(page).to_have_title(re.compile(r"^Write one sentence about lighthouses\. · Playground"))
    screenshot(page, "playground-chat")
    answer.get_by_role("button", name="Copy").click()
    expect(answer.get_by_test_id("action-status")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    shown = answer.get_by_test_id("answer").inner_text()
    assert copied.split()[:4] == shown.split()[:4] and copied.strip(), (copied, shown)

    # Feedback: a thumb stores the verdict at once; the comment follows.
    answer.get_by_role("button", name="Bad answer").click()
    expect(answer.get_by_role("status")).to_have_text("Thanks: your verdict is saved.")
    answer.get_by_label("Comment on this answer").fill("Too vague for a customer.")
    answer.get_by_role("button", name="Save comment").click()
    expect(answer.get_by_role("status")).to_have_text("Thanks: your comment is saved.")
    with tenant_context(acme):
        stored = Feedback.objects.get()
        assert (stored.rating, stored.comment, stored.user_id) == (
            -1, "Too vague for a customer.", nina.pk
        )  # fmt: skip

    # The conversation is kept: reloading shows it, feedback included, and it continues.
    page.reload()
    conversations = page.get_by_role("complementary", name="Your conversations")
    current = conversations.get_by_test_id("conversation-link")
    expect(current).to_have_text("Write one sentence about lighthouses.")
    expect(
        page.get_by_role("heading", name="Write one sentence about lighthouses.")
    ).to_be_visible()
    reloaded = page.get_by_test_id("assistant-turn").last
    expect(reloaded.get_by_role("button", name="Bad answer")).to_have_attribute(
        "aria-pressed", "true"
    )
    # Regenerate asks the last prompt again, in place of its answer.
    reloaded.get_by_role("button", name="Regenerate").click()
    expect(page.get_by_test_id("assistant-turn")).to_have_count(1)
    expect(page.get_by_test_id("metrics")).to_have_count(1, timeout=ANSWER_MS)
    ask(page, "And one about harbours.")
    expect(page.get_by_test_id("assistant-turn")).to_have_count(2)
    expect(page.get_by_test_id("metrics")).to_have_count(2, timeout=ANSWER_MS)
    expect(page.get_by_role("button", name="Regenerate")).to_have_count(1)  # the last answer's

    # Edit-and-resend: the edited prompt replaces the old one and its answer.
    page.get_by_test_id("user-turn").last.get_by_role("button", name="Edit").click()
    page.get_by_label("Edited prompt").fill("And one about bridges.")
    screenshot(page, "playground-edit")
    page.get_by_role("button", name="Send edited prompt").click()
    expect(page.get_by_test_id("user-turn").last).to_contain_text("And one about bridges.")
    expect(page.get_by_test_id("metrics")).to_have_count(2, timeout=ANSWER_MS)
    page.reload()
    expect(page.get_by_test_id("user-turn")).to_have_count(2)
    expect(page.get_by_test_id("user-turn").last).to_contain_text("And one about bridges.")
    expect(page.get_by_test_id("metrics")).to_have_count(2)

    # Search: by what was asked, the person's own conversations only.
    search = page.get_by_role("searchbox", name="Search your conversations")
    search.fill("BRIDGES")
    search.press("Enter")
    expect(conversations.get_by_test_id("conversation-link")).to_have_text(
        ["Write one sentence about lighthouses."]
    )
    search = page.get_by_role("searchbox", name="Search your conversations")
    search.fill("one about harbours")  # edited away
    search.press("Enter")
    expect(conversations.get_by_test_id("conversation-link")).to_have_count(0)
    expect(page.get_by_test_id("search-summary")).to_contain_text("No conversation of yours")
    page.get_by_role("link", name="Show all").click()
    current = conversations.get_by_test_id("conversation-link")
    current.click()

    conversations.locator("summary").first.click()
    name = conversations.get_by_role("textbox", name="Name")
    name.scroll_into_view_if_needed()
    box, viewport = name.bounding_box(), page.viewport_size
    assert box and viewport and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    name.fill("Lighthouse copy")
    conversations.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", name="Lighthouse copy")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Lighthouse copy · Playground"))
    expect(page.get_by_test_id("user-turn")).to_have_count(2)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("metrics")).to_have_count(2)
    page.get_by_test_id("user-turn").first.scroll_into_view_if_needed()  # reading back up
    prompt = page.get_by_role("textbox", name="Prompt", exact=True).bounding_box()
    assert prompt and prompt["y"] >= 0 and prompt["y"] + prompt["height"] <= PHONE["height"]
    # The conversations are a drawer: closed, then opened by its button, then closed by Escape.
    expect(conversations).to_be_hidden()
    opener = page.get_by_role("button", name="Conversations")
    opener.click()
    expect(opener).to_have_attribute("aria-expanded", "true")
    expect(conversations.get_by_test_id("conversation-link")).to_have_text(["Lighthouse copy"])
    drawer = page.locator("#pg-history").bounding_box()
    assert drawer and drawer["x"] >= 0 and drawer["x"] + drawer["width"] <= PHONE["width"]
    screenshot(page, "playground-conversations-drawer-phone")
    page.keyboard.press("Escape")
    expect(conversations).to_be_hidden()
    expect(opener).to_be_focused()
    screenshot(page, "playground-chat-phone")


def test_two_models_stream_side_by_side_and_stop_ends_the_call(
    page: Page, site, make_tenant, make_user, upstream
) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=LOCAL, tenants=[acme], actor="test")
    grant_model(model_name=TEAM, tenants=[acme], actor="test")
    make_user("omar", roles={acme: "member"})
    upstream.stream_pieces, upstream.piece_delay = 12, 0.15
    open_playground(page, site, acme, "omar")

    page.get_by_role("tab", name="Compare models").click()
    expect(page.get_by_label("Model", exact=True)).to_be_hidden()
    page.get_by_label("Model A").select_option(LOCAL)
    page.get_by_label("Model B").select_option(TEAM)
    ask(page, "Name three colours of the sea.", max_tokens=16)
    columns = page.get_by_test_id("assistant-turn")
    expect(columns).to_have_count(2)
    # Both stream at once: the slow team model is still writing while the other one is.
    expect(page.locator("[data-testid=assistant-turn][aria-busy=true]")).to_have_count(2)
    local, team = columns.nth(0), columns.nth(1)
    expect(local).to_contain_text("Gemma")
    expect(team).to_contain_text("Team model")
    for column in (local, team):
        expect(column.get_by_test_id("metrics")).to_be_visible(timeout=ANSWER_MS)
    expect(team.get_by_test_id("answer")).to_have_text("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11")
    expect(team.locator("[data-field=input_tokens]")).to_have_text("9 tokens in")
    expect(team.locator("[data-field=output_tokens]")).to_have_text("12 tokens out")
    expect(team.locator("[data-field=cost]")).to_contain_text("$0.000")
    # Each model's answer is kept as a conversation of its own, listed without a reload.
    history = page.get_by_test_id("conversation-link")
    expect(history).to_have_count(2)
    expect(history.first).to_have_text("Name three colours of the sea.")
    models = page.get_by_test_id("conversation-model")
    expect(models).to_have_count(2)
    assert sorted(models.all_inner_texts()) == sorted([LOCAL, TEAM])  # which is which, at a glance
    screenshot(page, "playground-compare")
    # One column asked again: its answer is replaced, in the same conversation.
    team.get_by_role("button", name="Regenerate").click()
    expect(team.get_by_test_id("metrics")).to_be_visible(timeout=ANSWER_MS)
    expect(columns).to_have_count(2)
    expect(history).to_have_count(2)
    # The comparison's address reopens it side by side, as each of its conversations' links does.
    assert "?comparison=" in page.url
    side_by_side = page.get_by_role("link", name="side by side")
    expect(side_by_side).to_have_count(2)
    side_by_side.first.click()
    expect(page.get_by_role("tab", name="Compare models")).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page).to_have_title(re.compile(r"^Comparison: Name three colours of the sea\. · "))
    expect(columns).to_have_count(2)
    expect(page.get_by_test_id("metrics")).to_have_count(2)
    reopened = columns.filter(has_text="Team model")
    expect(reopened.get_by_test_id("answer")).to_have_text("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11")
    expect(page.get_by_test_id("user-turn")).to_have_text("Name three colours of the sea.")

    # A model slow to start says so while the person waits for its first words.
    upstream.stream_pieces, upstream.piece_delay = 2, 0
    upstream.hold = threading.Event()
    page.get_by_role("tab", name="Chat").click()
    ask(page, "Are you there?", model=TEAM)
    waiting = page.locator("[data-log=chat]").get_by_test_id("assistant-turn").last
    expect(waiting.get_by_test_id("answer-state")).to_contain_text("Loading the model")
    screenshot(page, "playground-loading")
    upstream.hold.set()
    expect(waiting.get_by_test_id("metrics")).to_be_visible(timeout=ANSWER_MS)
    expect(waiting.get_by_test_id("answer-state")).not_to_contain_text("Loading")
    upstream.hold = None

    # A long answer, stopped half-way: the upstream call ends and the partial answer is kept.
    upstream.stream_pieces, upstream.piece_delay = 400, 0.05
    page.get_by_role("tab", name="Chat").click()
    ask(page, "Tell me a very long story.", model=TEAM, max_tokens=500)
    answer = page.locator("[data-log=chat]").get_by_test_id("assistant-turn").last
    expect(answer.get_by_test_id("answer")).to_contain_text("w5")
    page.get_by_role("button", name="Stop").click()
    expect(answer).to_contain_text("You stopped this answer")
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    assert upstream.disconnected.wait(10), "the upstream call went on after Stop"
    with tenant_context(acme):  # the partial answer is saved once the stream has ended
        kept = Turn.objects.filter(role="assistant", status="stopped")
        assert eventually(kept.exists), "the stopped answer was not kept"
        stopped = kept.get()
    assert stopped.content.startswith("w0 w1 w2 w3 w4 w5") and "w399" not in stopped.content
    screenshot(page, "playground-stopped")
    page.set_viewport_size(PHONE)
    page.get_by_role("tab", name="Compare models").click()
    screenshot(page, "playground-compare-phone")


def test_an_answer_grounded_in_a_knowledge_base_cites_its_passages(
    page: Page, site, make_tenant, make_user, celery_worker
) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=LOCAL, tenants=[acme], actor="test")
    located = knowledge_base(acme, name="Volunteer handbook")
    handbook = (FIXTURES / "tool_library_handbook.md").read_bytes()
    (document,) = ingested(located, {"tool_library_handbook.md": handbook})
    assert document.status == "ready"
    make_user("kai", roles={acme: "member"})
    open_playground(page, site, acme, "kai")

    page.get_by_label("Knowledge base").select_option(label="Volunteer handbook")
    ask(page, "How many items may members borrow at once?", model=LOCAL)
    answer = page.get_by_test_id("assistant-turn").first
    expect(answer.get_by_test_id("metrics")).to_be_visible(timeout=ANSWER_MS)
    citations = answer.get_by_test_id("citation")
    expect(citations.first).to_contain_text("[1] tool_library_handbook.md")
    rules = citations.filter(has_text="Borrowing rules").first
    rules.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_contain_text("tool_library_handbook.md")
    expect(dialog).to_contain_text("Members may borrow up to five items at once")
    screenshot(page, "playground-knowledge-citation")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    screenshot(page, "playground-knowledge")


def test_a_shared_template_is_versioned_and_filled_in(
    page: Page, site, make_tenant, make_user
) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=LOCAL, tenants=[acme], actor="test")
    make_user("tess", roles={acme: "member"})
    open_playground(page, site, acme, "tess")

    page.get_by_role("navigation", name="Playground").get_by_role(
        "link", name="Prompt templates"
    ).click()
    page.get_by_label("Name").fill("Complaint reply")
    page.get_by_label("Prompt").fill("Write a short reply to {{customer_name}} about {{issue}}.")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("status")).to_contain_text("Saved Complaint reply, version 1")
    page.get_by_label("Prompt").fill(
        "Write a short, kind reply to {{customer_name}} about {{issue}}. Sign it {{agent}}."
    )
    page.get_by_role("button", name="Save version 2").click()
    expect(page.get_by_test_id("template-version")).to_have_text("Version 2")
    expect(page.get_by_test_id("template-version-row")).to_have_count(2)
    screenshot(page, "playground-template-versions")
    page.get_by_role("link", name="Prompt templates").last.click()
    expect(page.get_by_test_id("template-card")).to_contain_text("Version 2")
    screenshot(page, "playground-templates")
    with tenant_context(acme):
        template = PromptTemplate.objects.get()
        assert template.current.variables == ["customer_name", "issue", "agent"]

    page.get_by_role("link", name="Chat and compare").click()
    page.get_by_role("button", name="Use a template").click()
    dialog = page.get_by_role("dialog", name="Use a prompt template")
    expect(dialog.get_by_label("Template")).to_have_value(str(template.pk))
    dialog.get_by_label("customer name").fill("Ms Rivera")
    dialog.get_by_label("issue").fill("a refund that arrived late")
    dialog.get_by_label("agent").fill("Tess")
    screenshot(page, "playground-template-dialog")
    dialog.get_by_role("button", name="Insert into prompt").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_label("Prompt", exact=True)).to_have_value(
        "Write a short, kind reply to Ms Rivera about a refund that arrived late. Sign it Tess."
    )


def test_failures_are_shown_in_place_in_plain_words(
    page: Page, site, make_tenant, make_user, upstream
) -> None:
    acme = make_tenant("acme")
    (local_grant,) = grant_model(model_name=LOCAL, tenants=[acme], actor="test")
    grant_model(model_name=TEAM, tenants=[acme], actor="test")
    set_price(model=FoundationModel.objects.get(name=TEAM), input_per_million="5000",
              output_per_million="5000", currency="USD", actor="test",
              effective_from=timezone.now() - timezone.timedelta(hours=1))  # fmt: skip
    set_budget(tenant=acme, business_unit=None, monthly_limit="0.01", currency="USD", actor="r")
    make_user("fay", roles={acme: "member"})
    open_playground(page, site, acme, "fay")

    ask(page, "Summarise our refund policy.", model=TEAM, max_tokens=500)
    failure = page.get_by_test_id("assistant-turn").last.get_by_role("alert")
    expect(failure).to_contain_text("Your team's AI budget is used up")
    expect(failure).to_contain_text("monthly budget")
    assert not upstream.requests  # refused before any call went out

    # A model taken away while the page was open.
    revoke_grant(grant_id=local_grant.pk, actor="admin")
    ask(page, "Hello?", model=LOCAL)
    refused = page.get_by_test_id("assistant-turn").last.get_by_role("alert")
    expect(refused).to_contain_text("This model isn't available to your team")
    expect(refused).to_contain_text("ask your administrator")
    screenshot(page, "playground-failure")
    page.set_viewport_size(PHONE)
    screenshot(page, "playground-failure-phone")


MARKDOWN = """## Refund steps

1. Check the **order number**.
2. Reply with the *template*; see [the policy](https://example.com/refunds).

- `refund()` runs once
- never [this](javascript:alert(1))

```python
def refund(order):
    return "<script>alert('x')</script>"
```

<img src=x onerror="window.hacked = true">

Refunds take five days [1], not ten [3]."""
REFUNDS = {"number": 1, "filename": "refunds.md", "heading": "Refunds", "page": None,
           "chunk_index": 0, "text": "Refunds take five days."}  # fmt: skip


def test_a_continued_conversation_renders_markdown_safely(
    page: Page, site, make_tenant, make_user
) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=LOCAL, tenants=[acme], actor="test")
    lena = make_user("lena", roles={acme: "member"})
    with tenant_context(acme):
        started = services.start_conversation(
            owner_id=lena.pk, first_prompt="How do refunds work?", model=LOCAL,
            system_prompt="", parameters={}, knowledge_base_id=None,
        )  # fmt: skip
        services.add_question(started, "How do refunds work?")
        services.add_answer(conversation_id=started.pk, content=MARKDOWN, model=LOCAL,
                            status="ok", citations=[REFUNDS],
                            event={"input_tokens": 7, "output_tokens": 80, "latency_ms": 950,
                                   "cost": "0.00042", "currency": "USD"})  # fmt: skip
    open_playground(page, site, acme, "lena")
    page.get_by_test_id("conversation-link").click()
    answer = page.get_by_test_id("answer")
    expect(answer.get_by_role("heading", name="Refund steps")).to_be_visible()
    expect(answer.locator("ol > li")).to_have_count(2)
    expect(answer.locator("strong")).to_have_text("order number")
    expect(answer.locator("em")).to_have_text("template")
    expect(answer.get_by_role("link", name="the policy")).to_have_attribute(
        "href", "https://example.com/refunds"
    )
    expect(answer.get_by_role("link", name="this")).to_have_count(0)  # no javascript: link
    expect(answer.locator("ul > li code")).to_have_text("refund()")
    code = answer.locator("pre > code")
    expect(code).to_have_attribute("data-language", "python")
    expect(code).to_contain_text("return \"<script>alert('x')</script>\"")
    expect(answer).to_contain_text('<img src=x onerror="window.hacked = true">')
    assert answer.locator("img, script").count() == 0
    assert page.evaluate("window.hacked") is None
    expect(page.get_by_test_id("metrics")).to_contain_text("950 ms")
    expect(page.locator("[data-field=cost]")).to_have_text("$0.00042")
    expect(page).to_have_title(re.compile(r"^How do refunds work\? · Playground"))
    # [1] links to the answer's first source; [3] is out of range and stays text.
    marker = answer.get_by_test_id("citation-ref")
    expect(marker).to_have_text("[1]")
    expect(answer).to_contain_text("not ten [3]")
    marker.click()
    expect(page.get_by_test_id("citation")).to_be_focused()
    screenshot(page, "playground-markdown")
