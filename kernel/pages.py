"""Domain errors on pages: one decorator instead of a try/except in every form view."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from kernel.errors import DomainError

PageView = Callable[..., HttpResponse]


def domain_errors_as_messages(view: PageView) -> PageView:
    """A form's POST view holds only the happy path: a DomainError from the service it calls
    becomes the page's error message, and the browser goes back to the page it posted from."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(request.get_full_path())

    return wrapper
