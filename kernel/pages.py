"""Domain errors on pages: one decorator instead of a try/except in every form view."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from kernel.errors import DomainError

PageView = Callable[..., HttpResponse]

# An API client reads which field is wrong from the message's start (`max_tokens: ...`); a person
# reads the label next to the form's field.
FIELD_PREFIX = re.compile(r"^([a-z][a-z0-9_]*): ")
FIELD_LABELS = {"alert_thresholds": "Alert at (%)"}


def page_message(error: DomainError) -> str:
    """A domain error's message as a page shows it: a leading field name (`monthly_limit: ...`)
    becomes the field's label (`Monthly limit: ...`)."""

    def label(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"{FIELD_LABELS.get(name, name.replace('_', ' ').capitalize())}: "

    return FIELD_PREFIX.sub(label, error.message, count=1)


def domain_errors_as_messages(view: PageView) -> PageView:
    """A form's POST view holds only the happy path: a DomainError from the service it calls
    becomes the page's error message, and the browser goes back to the page it posted from."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            messages.error(request, page_message(error))
            return HttpResponseRedirect(request.get_full_path())

    return wrapper
