"""Each chunking strategy on the committed handbook: sizes the embedding model takes, overlap,
heading paths, parents that contain their children, full coverage, and the same pieces every
time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from knowledge.chunking import MAX_CHUNK_TOKENS, ChunkingStrategy, Piece, chunk
from knowledge.extraction import PDF, Block, Extracted, extract
from knowledge.tokens import count_tokens, token_spans

HANDBOOK = Path(__file__).parents[1] / "fixtures" / "tool_library_handbook.md"
STRATEGIES = [
    pytest.param({"kind": "fixed"}, id="fixed-default"),
    pytest.param({"kind": "fixed", "chunk_tokens": 48, "overlap_tokens": 12}, id="fixed-48"),
    pytest.param({"kind": "recursive"}, id="recursive-default"),
    pytest.param({"kind": "recursive", "chunk_tokens": 40}, id="recursive-40"),
    pytest.param({"kind": "hierarchical"}, id="hierarchical-default"),
    pytest.param(
        {"kind": "hierarchical", "chunk_tokens": 32, "parent_tokens": 128}, id="hierarchical-32"
    ),
]


@pytest.fixture(scope="module")
def handbook() -> Extracted:
    return extract("handbook.md", HANDBOOK.read_bytes())


def located(text: str, pieces: list[Piece]) -> list[tuple[int, int]]:
    """Where each piece sits in `text`; pieces are slices in document order, so each is found at
    or after the previous one's start."""
    spans = []
    cursor = 0
    for piece in pieces:
        start = text.index(piece.text, cursor)
        spans.append((start, start + len(piece.text)))
        cursor = start
    return spans


def uncovered_words(text: str, spans: list[tuple[int, int]]) -> list[str]:
    covered = bytearray(len(text))
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    return [
        word.group()
        for word in re.finditer(r"\w+", text)
        if not all(covered[word.start() : word.end()])
    ]


def matched(pieces: list[Piece]) -> list[Piece]:
    """The pieces that are embedded and matched (all but hierarchical parents)."""
    return [piece for piece in pieces if not piece.is_parent]


@pytest.mark.parametrize("settings", STRATEGIES)
def test_pieces_fit_the_model_and_count_true(handbook: Extracted, settings: dict[str, Any]) -> None:
    strategy = ChunkingStrategy.from_dict(settings)

    pieces = chunk(handbook, strategy)

    assert [piece.index for piece in pieces] == list(range(len(pieces)))
    for piece in pieces:
        assert piece.tokens == count_tokens(piece.text)
        assert piece.text == piece.text.strip()
        limit = strategy.parent_tokens if piece.is_parent else strategy.chunk_tokens
        assert 0 < piece.tokens <= limit


@pytest.mark.parametrize("settings", STRATEGIES)
def test_every_word_is_in_some_piece_and_none_is_cut(
    handbook: Extracted, settings: dict[str, Any]
) -> None:
    text = handbook.text

    spans = located(text, matched(chunk(handbook, ChunkingStrategy.from_dict(settings))))

    assert uncovered_words(text, spans) == []
    for start, end in spans:
        assert start == 0 or text[start - 1].isspace()
        assert end == len(text) or text[end].isspace()


@pytest.mark.parametrize("settings", STRATEGIES)
def test_the_same_document_gives_the_same_pieces(
    handbook: Extracted, settings: dict[str, Any]
) -> None:
    strategy = ChunkingStrategy.from_dict(settings)
    again = extract("handbook.md", HANDBOOK.read_bytes())

    assert chunk(handbook, strategy) == chunk(again, strategy)


def test_fixed_windows_are_full_and_overlap(handbook: Extracted) -> None:
    strategy = ChunkingStrategy.from_dict({"kind": "fixed"})

    pieces = chunk(handbook, strategy)

    assert len(pieces) > 5
    spans = located(handbook.text, pieces)
    for (_, end), (next_start, _), piece in zip(spans, spans[1:], pieces, strict=False):
        shared = len(token_spans(handbook.text[next_start:end]))
        assert 0 < shared <= strategy.overlap_tokens
        # Cuts move back to a word start, never far.
        assert piece.tokens > strategy.chunk_tokens - 8


def test_fixed_pieces_carry_the_heading_where_they_start(handbook: Extracted) -> None:
    pieces = chunk(handbook, ChunkingStrategy.from_dict({"kind": "fixed"}))

    assert pieces[0].heading == "Riverside Tool Library: Volunteer Handbook"
    assert pieces[-1].heading.endswith("> Appendix: Glossary")


def test_recursive_pieces_carry_their_heading_path(handbook: Extracted) -> None:
    pieces = chunk(handbook, ChunkingStrategy.from_dict({"kind": "recursive"}))

    def heading_of(sentence: str) -> str:
        return next(piece.heading for piece in pieces if sentence in piece.text)

    root = "Riverside Tool Library: Volunteer Handbook"
    assert heading_of("This handbook was written") == root
    assert (
        heading_of("We do not charge late fees.") == f"{root} > Chapter 2: Lending > Late returns"
    )
    assert heading_of("Budget line: Insurance") == f"{root} > Chapter 3: Money > Budgets"
    assert heading_of("Yellow line: the painted line") == f"{root} > Appendix: Glossary"


def test_recursive_keeps_sections_apart_and_headings_with_their_text(handbook: Extracted) -> None:
    pieces = chunk(handbook, ChunkingStrategy.from_dict({"kind": "recursive"}))

    # "Chapter 3: Money" has no text of its own: it opens the piece of its first subsection.
    budgets = next(piece for piece in pieces if piece.text.startswith("Chapter 3: Money"))
    assert budgets.text.startswith("Chapter 3: Money\n\nBudgets\n\nThe library runs on")
    assert not any("Late returns" in piece.text and "Budgets" in piece.text for piece in pieces)


def test_recursive_splits_long_paragraphs_at_sentences(handbook: Extracted) -> None:
    donations = next(
        block.text for block in handbook.blocks if block.text.startswith("Donations of")
    )
    assert count_tokens(donations) > 200

    pieces = chunk(handbook, ChunkingStrategy.from_dict({"kind": "recursive"}))

    parts = [piece.text for piece in pieces if piece.heading.endswith("> Donations")]
    assert len(parts) == 2
    assert all(part.endswith(".") for part in parts)


def test_recursive_cuts_a_sentence_longer_than_a_piece_into_even_windows(
    handbook: Extracted,
) -> None:
    pieces = chunk(handbook, ChunkingStrategy.from_dict({"kind": "recursive", "chunk_tokens": 64}))

    safety = [piece for piece in pieces if piece.heading.endswith("Workshop safety")]
    assert len(safety) >= 4
    assert all(piece.tokens >= 20 for piece in safety)


@pytest.mark.parametrize("settings", STRATEGIES[4:])
def test_hierarchical_children_lie_inside_their_parent(
    handbook: Extracted, settings: dict[str, Any]
) -> None:
    strategy = ChunkingStrategy.from_dict(settings)

    pieces = chunk(handbook, strategy)

    parents = [piece for piece in pieces if piece.is_parent]
    assert parents and parents[0].index == 0
    for parent in parents:
        assert parent.parent_index is None
        children = [piece for piece in pieces if piece.parent_index == parent.index]
        assert children, parent.text
        assert [child.index for child in children] == list(
            range(parent.index + 1, parent.index + 1 + len(children))
        )
        for child in children:
            assert not child.is_parent
            assert child.text in parent.text
            assert child.heading == parent.heading
        assert uncovered_words(parent.text, located(parent.text, children)) == []
    assert uncovered_words(handbook.text, located(handbook.text, parents)) == []


def test_pieces_carry_the_page_they_start_on() -> None:
    sentence = "Tools are lent for seven days and may be renewed once. "
    pdf = Extracted(
        media_type=PDF,
        blocks=[
            Block(kind="paragraph", text=sentence * 6, page=1),
            Block(kind="paragraph", text=sentence * 6, page=2),
            Block(kind="paragraph", text=sentence * 6, page=3),
        ],
    )

    pieces = chunk(pdf, ChunkingStrategy.from_dict({"kind": "recursive", "chunk_tokens": 80}))

    assert [piece.page for piece in pieces] == [1, 2, 3]
    assert all(piece.heading == "" for piece in pieces)


@pytest.mark.parametrize("kind", ["fixed", "recursive"])
def test_a_word_longer_than_a_piece_is_still_cut_to_fit(kind: str) -> None:
    url = "https://example.org/" + "/".join(f"segment{number}x" for number in range(200))
    document = Extracted(media_type=PDF, blocks=[Block(kind="paragraph", text=f"See {url} now.")])
    strategy = ChunkingStrategy(kind=kind, chunk_tokens=32, overlap_tokens=8)

    pieces = chunk(document, strategy)

    assert len(pieces) > 10
    assert all(count_tokens(piece.text) <= 32 for piece in pieces)
    assert uncovered_words(document.text, located(document.text, pieces)) == []


def test_an_empty_document_has_no_pieces() -> None:
    assert chunk(Extracted(media_type=PDF, blocks=[]), ChunkingStrategy(kind="fixed")) == []


# Strategy settings


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("fixed", {"kind": "fixed", "chunk_tokens": 200, "overlap_tokens": 40}),
        ("recursive", {"kind": "recursive", "chunk_tokens": 200}),
        ("hierarchical", {"kind": "hierarchical", "chunk_tokens": 128, "parent_tokens": 800}),
    ],
)
def test_defaults_suit_the_model_and_round_trip(kind: str, expected: dict[str, Any]) -> None:
    strategy = ChunkingStrategy.from_dict({"kind": kind})

    assert strategy.as_dict() == expected
    assert ChunkingStrategy.from_dict(strategy.as_dict()) == strategy
    assert strategy.chunk_tokens <= MAX_CHUNK_TOKENS < 256


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"kind": "semantic"}, "kind"),
        ({}, "kind"),
        ({"kind": "fixed", "chunk_tokens": 300}, "chunk_tokens"),
        ({"kind": "fixed", "chunk_tokens": 16}, "chunk_tokens"),
        ({"kind": "recursive", "chunk_tokens": "200"}, "chunk_tokens"),
        ({"kind": "recursive", "chunk_tokens": True}, "chunk_tokens"),
        ({"kind": "fixed", "overlap_tokens": 100}, "overlap_tokens"),
        ({"kind": "fixed", "overlap_tokens": -1}, "overlap_tokens"),
        ({"kind": "recursive", "overlap_tokens": 10}, "overlap_tokens"),
        ({"kind": "hierarchical", "parent_tokens": 200}, "parent_tokens"),
        ({"kind": "hierarchical", "parent_tokens": 2000}, "parent_tokens"),
        ({"kind": "fixed", "parent_tokens": 800}, "parent_tokens"),
    ],
)
def test_invalid_settings_are_refused_naming_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}: "):
        ChunkingStrategy.from_dict(raw)


def test_long_texts_are_counted_whole_not_truncated() -> None:
    text = "tool " * 1000

    spans = token_spans(text)

    assert count_tokens(text) == len(spans) == 1000
    assert {text[start:end] for start, end in spans} == {"tool"}
