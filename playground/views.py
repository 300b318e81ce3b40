"""Pages of the playground, for every member of the tenant: the chat and compare page, a
person's conversations (continue, rename, delete), and the tenant's shared, versioned prompt
templates; and the JSON and streaming endpoints the page's script calls with the session and
the CSRF token (a turn streamed as server-sent events, a verdict on an answer)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identity.permissions import tenant_role_required
from identity.principals import Principal, person_in_tenant
from kernel.errors import DomainError, InvalidInput, NotFound
from kernel.pool_threads import run_in_pool_or_undo
from kernel.request_json import json_of_request
from models_catalog.selectors import units_of_person
from playground import selectors, services
from playground.chat import Prepared, abandoned, explain, prepare, stream_events
from playground.models import Conversation, PromptTemplate
from tenants.models import Role

NO_SUCH_PAGE = "No such page, or you have no access to it."
SIGN_IN = {"title": "Signed out", "message": "Sign in again to use the playground.",
           "code": "signed_out", "status": 401}  # fmt: skip
NOT_MEMBER = {"title": "No access", "message": "You are not a member of this tenant.",
              "code": "permission_denied", "status": 404}  # fmt: skip


def _base(request: HttpRequest) -> str:
    return f"/t/{request.tenant.slug}/playground/"  # type: ignore[attr-defined]


def _person(request: HttpRequest) -> int:
    """The signed-in person's id (the views below are for members only)."""
    return int(request.user.pk)  # type: ignore[arg-type]


def _template_json(template: PromptTemplate) -> dict[str, Any]:
    current = template.history[0]  # type: ignore[attr-defined]
    return {"id": template.pk, "name": template.name, "version": current.number,
            "body": current.body, "variables": current.variables}  # fmt: skip


def _page_context(request: HttpRequest) -> dict[str, Any]:
    tenant, role = request.tenant, request.tenant_role  # type: ignore[attr-defined]
    return {"tenant": tenant, "role": role, "base": _base(request)}


@require_GET
@tenant_role_required(Role.MEMBER)
@never_cache
def playground_page(request: HttpRequest) -> HttpResponse:
    """Chat and compare; `?conversation=<id>` continues one of the person's conversations,
    `?comparison=<id>` reopens a comparison side by side,
    `?q=<words>` lists only those that mention the words."""
    tenant, owner_id = request.tenant, _person(request)  # type: ignore[attr-defined]
    current = None
    compared: list[Conversation] = []
    try:
        if request.GET.get("conversation"):
            current = selectors.conversation_of(owner_id, UUID(request.GET["conversation"]))
        elif request.GET.get("comparison"):
            compared = selectors.comparison_of(owner_id, request.GET["comparison"])
    except (ValueError, NotFound):
        raise Http404(NO_SUCH_PAGE) from None
    search = request.GET.get("q", "")[:200]
    models = selectors.chat_models(tenant, units_of_person(owner_id, tenant))
    base = _base(request)
    config = {
        "chatUrl": f"{base}chat", "feedbackUrl": f"{base}turns/0/feedback",
        "conversationUrl": f"{base}conversations/00000000-0000-0000-0000-000000000000.json",
        "fillUrl": f"{base}templates/0/fill", "pageUrl": base,
        "pageTitle": f"Playground · {tenant.name} · Atrium",
        "conversation": str(current.pk) if current else None,
        "comparison": [str(conversation.pk) for conversation in compared],
        "templates": [_template_json(t) for t in selectors.templates_with_current()],
    }  # fmt: skip
    context = {
        **_page_context(request),
        "models": models,
        "knowledge_bases": selectors.knowledge_base_choices(tenant),
        "conversations": selectors.conversations_of(owner_id, search),
        "search": search,
        "current": current,
        "compared": compared,
        "config": config,
    }
    return render(request, "playground/page.html", context)


@require_GET
@tenant_role_required(Role.MEMBER)
@never_cache
def conversation_json(request: HttpRequest, conversation_id: UUID) -> JsonResponse:
    """A conversation's settings and turns, for the page's script to continue it."""
    try:
        data = selectors.conversation_data(_person(request), conversation_id)
    except NotFound as error:
        return JsonResponse({"error": explain(error)}, status=404)
    return JsonResponse(data)


@require_POST
@tenant_role_required(Role.MEMBER)
def rename_conversation(request: HttpRequest, conversation_id: UUID) -> HttpResponse:
    try:
        services.rename_conversation(owner_id=_person(request), conversation_id=conversation_id,
                                     title=request.POST.get("title", ""))  # fmt: skip
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"{_base(request)}?conversation={conversation_id}")


@require_POST
@tenant_role_required(Role.MEMBER)
def delete_conversation(request: HttpRequest, conversation_id: UUID) -> HttpResponse:
    try:
        services.delete_conversation(owner_id=_person(request), conversation_id=conversation_id)
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None
    messages.success(request, "Conversation deleted.")
    return redirect(_base(request))


@require_http_methods(["GET", "POST"])
@tenant_role_required(Role.MEMBER)
@never_cache
def templates_page(request: HttpRequest) -> HttpResponse:
    """The tenant's prompt templates; saving under an existing name adds a version."""
    error = None
    if request.method == "POST":
        try:
            saved = services.save_template(name=request.POST.get("name", ""),
                                           body=request.POST.get("body", ""),
                                           actor=request.user.get_username())  # fmt: skip
        except DomainError as failure:
            error = failure.message
        else:
            messages.success(request, f"Saved {saved.template.name}, version {saved.number}.")
            return redirect(f"{_base(request)}templates/{saved.template_id}/")
    context = {
        **_page_context(request),
        "templates": selectors.templates_with_current(),
        "error": error,
        "form": request.POST if error else None,
    }
    return render(request, "playground/templates.html", context, status=400 if error else 200)


@require_GET
@tenant_role_required(Role.MEMBER)
@never_cache
def template_page(request: HttpRequest, template_id: int) -> HttpResponse:
    """One template: its versions, and a form to save the next one."""
    try:
        template = selectors.template_of(template_id)
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None
    context = {**_page_context(request), "template": template,
               "current": template.history[0]}  # type: ignore[attr-defined]  # fmt: skip
    return render(request, "playground/template.html", context)


@require_POST
@tenant_role_required(Role.MEMBER)
def fill_template(request: HttpRequest, template_id: int) -> JsonResponse:
    """{values: {variable: text}} -> {prompt}: the template's current version, filled in."""
    try:
        body = json_of_request(request, empty_is_object=True)
        values = body.get("values") if isinstance(body, dict) else None
        prompt = selectors.filled_prompt(template_id, values)
    except DomainError as error:
        return JsonResponse({"error": explain(error)}, status=error.status_code)
    return JsonResponse({"prompt": prompt})


def _json(request: HttpRequest) -> dict[str, Any]:
    body = json_of_request(request, empty_is_object=True)
    if not isinstance(body, dict):
        raise InvalidInput("The request must be a JSON object.")
    return body


def principal_for(request: HttpRequest, user: Any) -> Principal | None:
    """The signed-in person as a principal of the request's tenant (None: not a member)."""
    return person_in_tenant(user, request.tenant)  # type: ignore[attr-defined]


def _refusal(failure: dict[str, Any]) -> JsonResponse:
    return JsonResponse({"error": failure}, status=failure["status"])


def _abandon(prepared: Prepared | None) -> None:
    if prepared is not None:
        abandoned(prepared)


@require_POST
async def chat(request: HttpRequest) -> HttpResponseBase:
    """Start a turn; the answer streams back as server-sent events."""
    user = await request.auser()
    if not user.is_authenticated:
        return _refusal(SIGN_IN)
    tenant = request.tenant  # type: ignore[attr-defined]

    def start() -> Any:
        principal = principal_for(request, user)
        if principal is None:
            return None
        return prepare(tenant, principal, _json(request))

    try:
        prepared = await run_in_pool_or_undo(_abandon, start)
    except DomainError as error:
        return _refusal(explain(error))
    if prepared is None:
        return _refusal(NOT_MEMBER)
    response = StreamingHttpResponse(stream_events(prepared), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@require_POST
def feedback(request: HttpRequest, turn_id: int) -> HttpResponse:
    """{rating: up|down, comment}: the person's verdict on one of their answers."""
    if not request.user.is_authenticated:
        return _refusal(SIGN_IN)
    if principal_for(request, request.user) is None:
        return _refusal(NOT_MEMBER)
    try:
        body = _json(request)
        saved = services.record_feedback(user_id=request.user.pk, turn_id=turn_id,
                                         rating=body.get("rating"),
                                         comment=body.get("comment"))  # fmt: skip
    except DomainError as error:
        return _refusal(explain(error))
    return JsonResponse({"turn_id": turn_id, "rating": "up" if saved.rating > 0 else "down",
                         "comment": saved.comment})  # fmt: skip
