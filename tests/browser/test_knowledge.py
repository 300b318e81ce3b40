"""Knowledge bases in a real browser: a tenant administrator creates one, drops two files on it,
watches each reach ready or failed without reloading, and searches it."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import Page, expect

from models_catalog.services.access import grant_model
from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import sign_in
from tests.knowledge.conftest import EMBEDDINGS, FIXTURES

pytestmark = pytest.mark.django_db(transaction=True)

INGESTION_MS = 120_000
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

DATA_TRANSFER = """(files) => {
    const transfer = new DataTransfer();
    for (const file of files) {
        const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name, {type: file.type}));
    }
    return transfer;
}"""


def drop_files(page: Page, target: str, files: dict[str, tuple[bytes, str]]) -> None:
    """Drag files from the desktop onto `target`, as the browser reports it to the page."""
    transfer = page.evaluate_handle(DATA_TRANSFER, [
        {"name": name, "type": kind, "base64": base64.b64encode(data).decode()}
        for name, (data, kind) in files.items()
    ])  # fmt: skip
    page.dispatch_event(target, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(target, "dragover", {"dataTransfer": transfer})
    expect(page.locator(target)).to_have_class("drop-zone dragging")
    page.dispatch_event(target, "drop", {"dataTransfer": transfer})


def document_row(page: Page, filename: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("document-row").filter(has_text=filename)


def test_admin_drops_files_and_watches_them_become_searchable(
    page: Page, portal_url, make_tenant, make_user, celery_worker
) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=EMBEDDINGS, tenants=[acme], actor="test")
    make_user("ana", roles={acme: "admin"})
    sign_in(page, portal_url, acme.slug, "ana", "pw-ana-123")

    nav = page.get_by_role("navigation", name="Tenant")
    nav.get_by_role("link", name="Knowledge").click()
    expect(page.get_by_role("heading", name="Knowledge", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("Volunteer handbook")
    page.get_by_label("Embedding model").select_option(EMBEDDINGS)
    page.get_by_label("Description").fill("How the Riverside Tool Library lends and stays safe.")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Volunteer handbook")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Created Volunteer handbook")
    screenshot(page, "knowledge-base-new")

    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    drop_files(page, "[data-testid=drop-zone]", {
        "tool_library_handbook.md": ((FIXTURES / "tool_library_handbook.md").read_bytes(),
                                     "text/markdown"),
        "scan.pdf": (b"%PDF-1.4 broken", "application/pdf"),
    })  # fmt: skip
    expect(page.get_by_role("status").last).to_contain_text(
        "Queued tool_library_handbook.md, scan.pdf"
    )
    handbook, scan = document_row(page, "tool_library_handbook.md"), document_row(page, "scan.pdf")
    expect(handbook.get_by_test_id("document-state")).to_have_text("Ready", timeout=INGESTION_MS)
    expect(handbook.locator("progress")).to_have_js_property("value", 100)
    expect(handbook.get_by_test_id("document-failure")).to_be_empty()
    expect(scan.get_by_test_id("document-state")).to_have_text("Failed", timeout=INGESTION_MS)
    expect(scan.get_by_test_id("document-failure")).to_contain_text("PDF")
    assert page.evaluate("window.sameDocument") is True
    assert int(handbook.locator("[data-field=chunks]").inner_text()) > 5
    screenshot(page, "knowledge-base")

    page.get_by_label("Query").fill("How many items may members borrow?")
    page.get_by_label("Mode").select_option("hybrid")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("hit").first).to_contain_text("tool_library_handbook.md")
    answer = page.get_by_test_id("hit").filter(has_text="Members may borrow up to five items")
    expect(answer).to_contain_text("Chapter 2: Lending > Borrowing rules")
    screenshot(page, "knowledge-search")
    page.set_viewport_size(PHONE)
    screenshot(page, "knowledge-search-phone")

    # Picking a file and pressing Upload goes the same way as a drop.
    page.set_viewport_size(LAPTOP)
    page.get_by_test_id("file-input").set_input_files(
        files=[{"name": "fees.txt", "mimeType": "text/plain", "buffer": b"Late fees: none."}]
    )
    page.get_by_role("button", name="Upload").click()
    fees = document_row(page, "fees.txt")
    expect(fees.get_by_test_id("document-state")).to_have_text("Ready", timeout=INGESTION_MS)

    nav.get_by_role("link", name="Knowledge").click()
    card = page.get_by_test_id("knowledge-base-card")
    expect(card).to_contain_text("3 documents")
    expect(card).to_contain_text("2 ready")
    expect(card).to_contain_text("1 failed")
    screenshot(page, "knowledge-bases")
    page.set_viewport_size(PHONE)
    screenshot(page, "knowledge-bases-phone")
    card.get_by_role("link").click()
    screenshot(page, "knowledge-base-phone")

    # Each document's page previews its chunks in order, with their headings.
    page.set_viewport_size(LAPTOP)
    page.get_by_role("link", name="tool_library_handbook.md").click()
    expect(page.get_by_role("heading", name="tool_library_handbook.md")).to_be_visible()
    chunks = page.get_by_test_id("chunk")
    expect(chunks.first).to_contain_text("#0")
    assert chunks.count() == int(page.get_by_test_id("chunk-count").inner_text()) > 5
    expect(chunks.filter(has_text="Members may borrow up to five items")).to_contain_text(
        "Chapter 2: Lending > Borrowing rules"
    )
    screenshot(page, "knowledge-document")
