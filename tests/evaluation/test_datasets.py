"""Datasets: a JSONL upload is saved whole or refused whole, with the line and field named and
nothing saved; the pages are for tenant administrators only; playground feedback is curated
into a dataset."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from evaluation.models import Dataset, DatasetItem, Feedback
from evaluation.services import MAX_LINES, upload_dataset
from kernel.errors import Conflict, InvalidInput
from playground.models import Conversation, Turn
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def jsonl(*records: object) -> bytes:
    return "\n".join(json.dumps(r) for r in records).encode()


GOOD = jsonl(
    {"prompt": "Capital of France?", "expected": "Paris"}, {"prompt": "2 + 2?", "expected": "4"}
)


def signed_in(make_user, tenant: Tenant, name: str, role: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user(name, roles={tenant: role}))
    return client


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (GOOD + b'\n{"prompt": "Half', "Line 3: invalid JSON"),
        (GOOD + b"\n[1, 2]", "Line 3: expected a JSON object"),
        (
            jsonl({"prompt": "a", "expected": "b"}, {"expected": "b"}),
            "Line 2: the field 'prompt' is missing",
        ),
        (jsonl({"prompt": "a", "expected": "   "}), "Line 1: the field 'expected' must be a non"),
        (jsonl({"prompt": "a", "expected": 4}), "Line 1: the field 'expected' must be a non"),
        (b"\n  \n", "The file is empty"),
        (b"", "The file is empty"),
        (GOOD + b'\n{"prompt": "caf\xe9", "expected": "x"}', "Line 3: the file is not UTF-8"),
        (b'{"prompt": "a", "expected": "b"}\n' * (MAX_LINES + 1), "at most 5,000 lines"),
    ],
)
def test_a_bad_upload_is_refused_whole(module_tenants, data: bytes, message: str) -> None:
    acme = module_tenants["acme"]
    with tenant_context(acme):
        with pytest.raises(InvalidInput) as refused:
            upload_dataset(tenant=acme, name="Quiz", description="", data=data, actor="ada")
        assert message in refused.value.message
        assert not Dataset.objects.exists() and not DatasetItem.objects.exists()


def test_a_good_upload_keeps_lines_and_names_are_unique(module_tenants) -> None:
    acme = module_tenants["acme"]
    with tenant_context(acme):
        data = b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\n\n")  # a BOM, a blank line
        dataset = upload_dataset(tenant=acme, name=" Quiz ", description="", data=data, actor="ada")
        items = list(dataset.items.values_list("line", "prompt", "expected"))
        assert dataset.name == "Quiz" and dataset.source == "upload"
        assert items == [(1, "Capital of France?", "Paris"), (3, "2 + 2?", "4")]
        with pytest.raises(Conflict, match="already a dataset called 'Quiz'"):
            upload_dataset(tenant=acme, name="Quiz", description="", data=GOOD, actor="ada")
        assert Dataset.objects.count() == 1 and DatasetItem.objects.count() == 2


def test_the_upload_form_shows_the_refusal_in_place(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    admin = signed_in(make_user, acme, "ada", "admin")
    base = f"/t/{acme.slug}/evaluations/"
    refused = admin.post(
        f"{base}datasets/",
        {
            "name": "Quiz",
            "file": SimpleUploadedFile("quiz.jsonl", GOOD + b"\n{oops"),
        },
    )
    assert refused.status_code == 400
    shown = refused.content.decode()
    assert "Line 3: invalid JSON" in shown and 'value="Quiz"' in shown
    with tenant_context(acme):
        assert not Dataset.objects.exists()

    saved = admin.post(
        f"{base}datasets/",
        {
            "name": "Quiz",
            "file": SimpleUploadedFile("quiz.jsonl", GOOD),
        },
        follow=True,
    )
    assert saved.status_code == 200
    page = saved.content.decode()
    assert "Saved Quiz." in page and "Capital of France?" in page
    listing = admin.get(base).content.decode()
    assert "Quiz" in listing and "2 items" in listing


def test_the_listing_costs_the_same_queries_for_more_datasets(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    admin = signed_in(make_user, acme, "ada", "admin")
    base = f"/t/{acme.slug}/evaluations/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(base).status_code == 200
        return len(captured)

    with tenant_context(acme):
        upload_dataset(tenant=acme, name="One", description="", data=GOOD, actor="ada")
    queries()  # the first request warms the session and the caches
    one = queries()
    with tenant_context(acme):
        for name in ("Two", "Three"):
            upload_dataset(tenant=acme, name=name, description="", data=GOOD, actor="ada")
    assert queries() == one


def test_members_get_the_house_404(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    member = signed_in(make_user, acme, "mo", "member")
    base = f"/t/{acme.slug}/evaluations/"
    assert member.get(base).status_code == 404
    assert member.get(f"{base}feedback/").status_code == 404
    upload = {"name": "Quiz", "file": SimpleUploadedFile("quiz.jsonl", GOOD)}
    assert member.post(f"{base}datasets/", upload).status_code == 404
    with tenant_context(acme):
        assert not Dataset.objects.exists()


def rated(question: str, answer: str, rating: int, comment: str = "") -> Feedback:
    conversation = Conversation.objects.create(owner_id=1, title=question, model="m")
    Turn.objects.create(conversation=conversation, role="user", content="Earlier question")
    Turn.objects.create(conversation=conversation, role="assistant", content="Earlier answer")
    Turn.objects.create(conversation=conversation, role="user", content=question)
    turn = Turn.objects.create(
        conversation=conversation, role="assistant", content=answer, model="local/gemma-3-270m"
    )
    return Feedback.objects.create(turn=turn, user_id=1, rating=rating, comment=comment)


def test_feedback_is_curated_into_a_dataset(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    with tenant_context(acme):
        up = rated("Capital of France?", "Paris.", 1)
        down = rated("Capital of Italy?", "Paris.", -1, "Wrong: it is Rome")
    admin = signed_in(make_user, acme, "ada", "admin")
    page = f"/t/{acme.slug}/evaluations/feedback/"
    shown = admin.get(page).content.decode()
    # By default a thumbs up is ticked with its answer; a thumbs down waits for one.
    assert f'value="{up.pk}" aria-label="Add feedback {up.pk}" checked' in shown
    assert f'value="{down.pk}" aria-label="Add feedback {down.pk}">' in shown
    assert "Wrong: it is Rome" in shown

    picks = {
        "dataset_name": "Ground truth",
        "feedback": [str(up.pk), str(down.pk)],
        f"expected-{up.pk}": "Paris",
        f"expected-{down.pk}": "",
    }
    refused = admin.post(page, picks)
    assert refused.status_code == 400
    assert f"Feedback {down.pk}: write the expected answer first." in refused.content.decode()
    with tenant_context(acme):
        assert not Dataset.objects.exists()

    added = admin.post(page, {**picks, f"expected-{down.pk}": "Rome"}, follow=True)
    assert "Added 2 item(s) to Ground truth." in added.content.decode()
    again = admin.post(page, {**picks, f"expected-{down.pk}": "Rome"}, follow=True)
    assert "Added 0 item(s)" in again.content.decode()  # already in: not twice
    with tenant_context(acme):
        dataset = Dataset.objects.get(name="Ground truth")
        items = list(dataset.items.values_list("line", "prompt", "expected", "feedback_id"))
    assert dataset.source == "feedback"
    assert items == [
        (1, "Capital of France?", "Paris", up.pk),
        (2, "Capital of Italy?", "Rome", down.pk),
    ]
    assert "in Ground truth" in admin.get(page).content.decode()


def test_an_uploaded_dataset_is_not_extended_by_curation(module_tenants) -> None:
    from evaluation.services import FeedbackPick, add_feedback_items

    acme = module_tenants["acme"]
    with tenant_context(acme):
        upload_dataset(tenant=acme, name="Quiz", description="", data=GOOD, actor="ada")
        up = rated("Capital of France?", "Paris", 1)
        with pytest.raises(Conflict, match="uploaded dataset"):
            add_feedback_items(
                tenant=acme, dataset_name="Quiz", picks=[FeedbackPick(up.pk, "Paris")], actor="ada"
            )
        assert DatasetItem.objects.count() == 2
