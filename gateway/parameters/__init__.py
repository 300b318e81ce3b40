"""Reading OpenAI-style request bodies: every field is honoured or refused with a 400 that names
it (`error.param`) — never accepted and ignored. Parsing checks the shape of each field; the
model's capabilities (from the catalogue) decide what it may ask for (`unmet_need`).

One module per part of a body: `fields` (the refusal, top-level fields, numbers),
`generation` (token limit, stop, streaming, optional parameters), `content` (text and image
parts), `messages`, `tools`, `formats` (structured output), `chat`, `embeddings`, and
`capabilities` (what the model can serve). The names callers use are here."""

from gateway.parameters.capabilities import unmet_need
from gateway.parameters.chat import ParsedChat, chat_request
from gateway.parameters.content import content_parts, image_part, part_text
from gateway.parameters.embeddings import embedding_request
from gateway.parameters.fields import (
    BadParameter,
    exactly,
    number,
    one_of,
    require_model,
    unknown_fields,
)
from gateway.parameters.formats import schema_format
from gateway.parameters.generation import (
    optional_parameters,
    stop_sequences,
    stream_options,
    streaming,
    token_limit,
)
from gateway.parameters.tools import function_tool, unique_tools

__all__ = [
    "BadParameter",
    "ParsedChat",
    "chat_request",
    "content_parts",
    "embedding_request",
    "exactly",
    "function_tool",
    "image_part",
    "number",
    "one_of",
    "optional_parameters",
    "part_text",
    "require_model",
    "schema_format",
    "stop_sequences",
    "stream_options",
    "streaming",
    "token_limit",
    "unique_tools",
    "unknown_fields",
    "unmet_need",
]
