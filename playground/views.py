"""Pages of the playground, for every member of the tenant: the chat and compare page (its
script streams answers from `endpoints.chat`), a person's conversations (continue, rename,
delete), and the tenant's shared, versioned prompt templates."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identity.permissions import tenant_role_required
from identity.roles import business_unit_in_tenant
from kernel.errors import DomainError, InvalidInput, NotFound
from playground import selectors, services
from playground.failures import explain
from playground.models import PromptTemplate
from playground.templates_text import fill
from tenants.models import Role

NO_SUCH_PAGE = "No such page, or you have no access to it."


def _base(request: HttpRequest) -> str:
    return f"/t/{request.tenant.slug}/playground/"  # type: ignore[attr-defined]


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
    """Chat and compare; `?conversation=<id>` continues one of the person's conversations."""
    tenant, owner_id = request.tenant, request.user.pk  # type: ignore[attr-defined]
    current = None
    if request.GET.get("conversation"):
        try:
            current = services.conversation_of(owner_id, UUID(request.GET["conversation"]))
        except (ValueError, NotFound):
            raise Http404(NO_SUCH_PAGE) from None
    models = selectors.chat_models(tenant, business_unit_in_tenant(owner_id, tenant))
    base = _base(request)
    config = {
        "chatUrl": f"{base}chat", "feedbackUrl": f"{base}turns/0/feedback",
        "conversationUrl": f"{base}conversations/00000000-0000-0000-0000-000000000000.json",
        "fillUrl": f"{base}templates/0/fill", "pageUrl": base,
        "conversation": str(current.pk) if current else None,
        "templates": [_template_json(t) for t in selectors.templates_with_current()],
    }  # fmt: skip
    context = {
        **_page_context(request),
        "models": models,
        "knowledge_bases": selectors.knowledge_base_choices(tenant),
        "conversations": selectors.conversations_of(owner_id),
        "current": current,
        "config": config,
    }
    return render(request, "playground/page.html", context)


@require_GET
@tenant_role_required(Role.MEMBER)
@never_cache
def conversation_json(request: HttpRequest, conversation_id: UUID) -> JsonResponse:
    """A conversation's settings and turns, for the page's script to continue it."""
    try:
        data = selectors.conversation_data(request.user.pk, conversation_id)
    except NotFound as error:
        return JsonResponse({"error": explain(error)}, status=404)
    return JsonResponse(data)


@require_POST
@tenant_role_required(Role.MEMBER)
def rename_conversation(request: HttpRequest, conversation_id: UUID) -> HttpResponse:
    try:
        services.rename_conversation(owner_id=request.user.pk, conversation_id=conversation_id,
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
        services.delete_conversation(owner_id=request.user.pk, conversation_id=conversation_id)
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
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    values = body.get("values") if isinstance(body, dict) else None
    try:
        template = selectors.template_of(template_id)
        if not isinstance(values, dict):
            raise InvalidInput("Fill in the template's fields.")
        prompt = fill(template.history[0].body, values)  # type: ignore[attr-defined]
    except DomainError as error:
        return JsonResponse({"error": explain(error)}, status=error.status_code)
    return JsonResponse({"prompt": prompt})
