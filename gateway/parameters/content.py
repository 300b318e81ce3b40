"""A message's content: a string, or text and image parts (data URLs within the size limit;
https URLs only where the platform fetches them)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings

from gateway.parameters.fields import BadParameter, one_of
from providers.types import ImagePart, TextPart

IMAGE_DATA_URL = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.*)$", re.S)


def _image(raw: Any, param: str) -> ImagePart:
    spec = raw.get("image_url") if isinstance(raw, dict) else None
    if isinstance(spec, str):
        spec = {"url": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
        raise BadParameter(f"{param}.image_url", "must be an object with a url.")
    return image_part(spec["url"], spec.get("detail"), f"{param}.image_url")


def image_part(url: str, detail: Any, param: str) -> ImagePart:
    """An image given by `url` (a data URL within the size limit, or an https URL where the
    platform fetches them); `param` names where it was in the request (chat and Responses
    bodies put it in different places)."""
    if detail is not None and not one_of(detail, {"auto", "low", "high"}):
        raise BadParameter(f"{param}.detail", "must be auto, low or high.")
    if url.startswith("data:"):
        found = IMAGE_DATA_URL.match(url)
        if found is None:
            raise BadParameter(
                f"{param}.url",
                "a data URL must be data:image/<png|jpeg|gif|webp>;base64,<data>.",
            )
        try:
            size = len(base64.b64decode(found.group(2), validate=True))
        except (binascii.Error, ValueError):
            raise BadParameter(f"{param}.url", "the image is not valid base64.") from None
        limit = settings.GATEWAY_IMAGE_MAX_BYTES
        if size > limit:
            raise BadParameter(f"{param}.url", f"images are at most {limit // 1024 // 1024} MB.")
    elif url.startswith("https://"):
        if not settings.GATEWAY_FETCH_IMAGE_URLS:
            raise BadParameter(
                f"{param}.url",
                "image URLs are not fetched on this platform: send the image as a data URL "
                "(data:image/png;base64,...).",
            )
    else:
        raise BadParameter(f"{param}.url", "must be a data: URL or an https URL.")
    return ImagePart(url=url, detail=detail)


def part_text(part: dict[str, Any], param: str) -> str:
    """The `text` of a text part (chat's `text`, the Responses API's `input_text` and
    `output_text`); `param` names the part."""
    text = part.get("text")
    if not isinstance(text, str):
        raise BadParameter(f"{param}.text", "must be a string.")
    return text


def content_parts(
    value: Any, param: str, *, images: bool, text_type: str = "text",
    image_type: str = "image_url",
    read_image: Callable[[dict[str, Any], str], ImagePart] = _image,
) -> tuple[str, tuple[TextPart | ImagePart, ...]]:  # fmt: skip
    """(text, parts) of a message's content: a string, or text and (where `images`) image parts,
    of the types the body's API names them (chat's `text` / `image_url`, the Responses API's
    `input_text` / `input_image`). Parts are kept only when the content has an image."""
    if isinstance(value, str):
        return value, ()
    if not isinstance(value, list):
        raise BadParameter(param, "must be a string or a list of content parts.")
    parts: list[TextPart | ImagePart] = []
    for index, part in enumerate(value):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == text_type:
            parts.append(TextPart(part_text(part, f"{param}[{index}]")))
        elif kind == image_type and images:
            parts.append(read_image(part, f"{param}[{index}]"))
        elif kind == image_type:
            raise BadParameter(f"{param}[{index}]", "images are only for user messages.")
        else:
            raise BadParameter(
                f"{param}[{index}].type",
                f"content parts are {text_type}" + (f" or {image_type}." if images else "."),
            )
    text = "".join(part.text for part in parts if isinstance(part, TextPart))
    has_image = any(isinstance(part, ImagePart) for part in parts)
    return text, tuple(parts) if has_image else ()
