"""Values that cross the gateway's module boundaries: requests to providers and their answers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    role: str  # "system", "user" or "assistant"
    content: str


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[Message, ...]
    max_tokens: int
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ChatResult:
    text: str
    finish_reason: str  # "stop" or "length"
    usage: Usage


@dataclass(frozen=True)
class ChatChunk:
    """A piece of a streamed answer; the last one has a finish reason and, if known, usage."""

    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True)
class EmbeddingResult:
    vectors: list[list[float]] = field(default_factory=list)
    prompt_tokens: int = 0
