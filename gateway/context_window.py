"""A prompt that cannot fit the model's context window is refused before anything is reserved,
checked or sent: the provider would refuse it anyway, after a long upload (and a local model
after a long wait), and the caller learns nothing it can act on.

No tokenizer runs here (each model has its own): the prompt's size in tokens is taken at its
lowest plausible value, so a prompt is refused only when it cannot fit. Natural text and code
average 3 to 5 characters a token in every tokenizer the catalogue's models use; at 8 a prompt
would have to be made of long runs of one character to be refused though it fits."""

from __future__ import annotations

from gateway.parameters import BadParameter
from models_catalog.models import FoundationModel
from providers.types import ChatRequest

CHARACTERS_PER_TOKEN_AT_MOST = 8


def fewest_tokens(chat: ChatRequest) -> int:
    """The fewest tokens the model could read `chat` as (images aside)."""
    return sum(len(text) for text in chat.prompt_texts()) // CHARACTERS_PER_TOKEN_AT_MOST


def past_context_window(entry: FoundationModel, found: str) -> BadParameter:
    """The 400 naming `messages` for a prompt longer than `entry`'s context window; `found`
    says how it is known."""
    return BadParameter(
        "messages",
        f"{found}; {entry.name} reads at most {entry.context_window:,} tokens (its context "
        "window). Shorten the messages.",
    )


def refuse_past_context_window(entry: FoundationModel, chat: ChatRequest) -> None:
    """BadParameter("messages") when the prompt alone is longer than `entry`'s context window."""
    tokens = fewest_tokens(chat)
    if tokens > entry.context_window:
        raise past_context_window(entry, f"the prompt is at least {tokens:,} tokens long")
