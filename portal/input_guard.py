"""The first middleware: a request whose path, query string, form fields, file names or cookies
carry text PostgreSQL cannot store (NUL) is refused with a 400 naming the field, before the
tenant's slug, a search query or a form's name reaches the database and fails there as a 500;
a form body over the size limit, or one that cannot be parsed, gets its 413 or 400 here too.
JSON bodies are read by `kernel.request_json`, which refuses the same text inside them.

APIs are answered in OpenAI's error shape (the OpenID provider in OAuth's), pages with a page."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponseBase
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin

from kernel.errors import DomainError, InvalidInput
from kernel.request_json import first_unstorable, too_large
from portal.error_shapes import shaped_error

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _fields(request: HttpRequest) -> Iterator[tuple[str, str]]:
    """(name, text) of everything in the request that may reach the database as text."""
    yield "path", request.path
    for name, values in request.GET.lists():
        yield name, name
        yield from ((name, value) for value in values)
    for name, value in request.COOKIES.items():
        yield f"cookie {name}", value
    if request.method == "POST" and request.content_type in FORM_TYPES:
        for name, values in request.POST.lists():
            yield name, name
            yield from ((name, value) for value in values)
        for name, files in request.FILES.lists():
            yield from ((name, upload.name or "") for upload in files)


def refusal_of(request: HttpRequest) -> DomainError | None:
    """Why the request cannot be served as sent, or None."""
    try:
        return first_unstorable(_fields(request))
    except RequestDataTooBig:
        return too_large()
    except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent) as error:
        return InvalidInput(f"The form could not be read: {error}")


def answer(request: HttpRequest, refusal: DomainError) -> HttpResponseBase:
    """The refusal in the shape the path's clients read."""

    def page() -> HttpResponseBase:
        context = {"message": refusal.message}
        return render(request, "portal/bad_request.html", context, status=refusal.status_code)

    return shaped_error(request, refusal, oauth_error="invalid_request", page=page)


class RefuseUnstorableInput(MiddlewareMixin):
    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:
        refusal = refusal_of(request)
        return None if refusal is None else answer(request, refusal)
