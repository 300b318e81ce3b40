"""How an answer is generated and delivered, as chat, legacy completions and the Responses API
ask it: the token limit, stop sequences, streaming, and the optional parameters (seed,
penalties, logit bias, log probabilities, user)."""

from __future__ import annotations

from typing import Any

from gateway.parameters.fields import BadParameter, exactly, number, whole
from models_catalog.models import FoundationModel, Provider

# OpenAI's seed is any 64-bit integer; llama.cpp (the local model) reads its seed as an
# unsigned 32-bit one, wrapping larger values, and takes 2**32 - 1 (-1) for "random": there a
# seed outside these bounds would not give the same sampling twice, so it is refused.
SEEDS = (-(2**63), 2**63 - 1)
LOCAL_SEEDS = (0, 2**32 - 2)


def token_limit(value: Any, param: str, entry: FoundationModel, default: int) -> int:
    """The most tokens the answer may have (`default` when not asked), within what `entry`
    writes."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadParameter(param, "must be a whole number of at least 1.")
    if value > entry.max_output_tokens:
        raise BadParameter(param, f"this model writes at most {entry.max_output_tokens} tokens.")
    return value


def stop_sequences(stop: Any) -> tuple[str, ...]:
    """`stop`: a string or up to four."""
    if stop is None:
        return ()
    if isinstance(stop, str):
        return (stop,)
    if isinstance(stop, list) and len(stop) <= 4 and all(isinstance(s, str) for s in stop):
        return tuple(stop)
    raise BadParameter("stop", "must be a string or a list of up to 4 strings.")


def streaming(body: dict[str, Any]) -> tuple[bool, bool]:
    """(stream, include_usage) from `stream` and `stream_options` (chat and legacy
    completions share them)."""
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise BadParameter("stream", "must be true or false.")
    options = stream_options(body.get("stream_options"), stream, {"include_usage"})
    return stream, options.get("include_usage") is True


def stream_options(raw: Any, stream: bool, flags: set[str]) -> dict[str, Any]:
    """`stream_options` (chat, legacy completions, the Responses API): the true-or-false
    `flags` the endpoint honours, and `include_obfuscation: false` (Atrium never pads the
    deltas, so there is nothing to turn off)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadParameter("stream_options", "must be an object.")
    known = flags | {"include_obfuscation"}
    for key, value in raw.items():
        where = f"stream_options.{key}"
        if key not in known:
            raise BadParameter(where, f"is not supported: only {', '.join(sorted(known))}.")
        if key == "include_obfuscation" and not exactly(value, None, False):
            raise BadParameter(where, "only false: Atrium never pads the deltas.")
        if not exactly(value, None, True, False):
            raise BadParameter(where, "must be true or false.")
    if raw and not stream:
        raise BadParameter("stream_options", "is only allowed with stream: true.")
    return raw


def optional_parameters(
    body: dict[str, Any], entry: FoundationModel | None = None
) -> dict[str, Any]:
    """The optional parameters that ask for something (a default value asks for nothing), for
    `entry`'s provider."""
    options: dict[str, Any] = {}
    if body.get("seed") is not None:
        local = entry is not None and entry.provider.kind == Provider.Kind.LOCAL
        options["seed"] = whole(body["seed"], "seed", *(LOCAL_SEEDS if local else SEEDS))
    for name in ("frequency_penalty", "presence_penalty"):
        value = number(body, name, -2, 2)
        if value:
            options[name] = value
    bias = body.get("logit_bias")
    if bias is not None:
        if not isinstance(bias, dict) or not all(
            isinstance(k, str) and k.isascii() and k.isdigit() and isinstance(v, int | float)
            and not isinstance(v, bool) and -100 <= v <= 100
            for k, v in bias.items()
        ):  # fmt: skip
            raise BadParameter("logit_bias", "must map token ids (digits) to numbers from -100 "
                               "to 100.")  # fmt: skip
        if bias:
            options["logit_bias"] = bias
    logprobs = body.get("logprobs")
    if logprobs is not None and not isinstance(logprobs, bool):
        raise BadParameter("logprobs", "must be true or false.")
    if logprobs:
        options["logprobs"] = True
    if body.get("top_logprobs") is not None:
        if not logprobs:
            raise BadParameter("top_logprobs", "needs logprobs: true.")
        options["top_logprobs"] = whole(body["top_logprobs"], "top_logprobs", 0, 20)
    if body.get("user") is not None:
        if not isinstance(body["user"], str):
            raise BadParameter("user", "must be a string.")
        options["user"] = body["user"]
    return options
