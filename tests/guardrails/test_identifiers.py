"""Identifiers as people type them, found by the maintained libraries (phonenumbers per region,
python-stdnum's checksums), weighed by the words before them, and never reported twice; the
measured quality on a fixed labelled set stays above floors."""

from __future__ import annotations

import pytest

from guardrails.detectors import Finding, find_pii
from guardrails.engine import GuardrailBlocked, StreamGuard, check
from guardrails.labelled_pii import hard_negatives, pii_sentences
from guardrails.measure import flagged_share, pii_scores
from guardrails.policy import PII_KINDS, parse
from kernel.errors import InvalidInput

ALL = set(PII_KINDS)


def found(text: str, kinds: set[str] = ALL) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find_pii(text, kinds)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ruf an: 030 3898 1918", [("phone", "030 3898 1918")]),
        ("bel me op 06-42292648 morgen", [("phone", "06-42292648")]),
        ("電話 070-6600-5504 まで", [("phone", "070-6600-5504")]),
        ("Appelez le +33 (0)6 12 34 56 78 ce soir", [("phone", "+33 (0)6 12 34 56 78")]),
        ("Maestro 6304 0000 0000", [("card", "6304 0000 0000")]),
        ("card 4111 1111 1111 1111 12/27", [("card", "4111 1111 1111 1111")]),
        ("Karte 4111.1111.1111.1111 bitte", [("card", "4111.1111.1111.1111")]),
        ("IBAN de89 3704 0044 0532 0130 00 please", [("iban", "de89 3704 0044 0532 0130 00")]),
        ("IBAN DE89-3704-0044-0532-0130-00.", [("iban", "DE89-3704-0044-0532-0130-00")]),
        ("IBAN DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000",
         [("iban", "DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000")]),
        ("SSN 123 45 6789 and 123456789", [("ssn", "123 45 6789"), ("ssn", "123456789")]),
        ("The server is 10.0.0.1.", [("ip", "10.0.0.1")]),
        ("mail jürgen.müller@example.de now", [("email", "jürgen.müller@example.de")]),
        ("NI number JG 10 37 59 A", [("nino", "JG 10 37 59 A")]),
        ("Steuer-ID 86095742719", [("steuer_id", "86095742719")]),
        ("NIR 2 95 10 99 126 111 93", [("nir", "2 95 10 99 126 111 93")]),
        ("DNI 12345678Z, NIE X1234567L", [("dni_nie", "12345678Z"), ("dni_nie", "X1234567L")]),
        ("CF RSSMRA85T10A562S", [("codice_fiscale", "RSSMRA85T10A562S")]),
        ("BSN 1112.22.333", [("bsn", "1112.22.333")]),
        # One after another: the run of the first once swallowed the second.
        ("IBAN DE89 3704 0044 0532 0130 00 and GB82 WEST 1234 5698 7654 32.",
         [("iban", "DE89 3704 0044 0532 0130 00"), ("iban", "GB82 WEST 1234 5698 7654 32")]),
        ("Pay DE89370400440532013000 or GB82WEST12345698765432",
         [("iban", "DE89370400440532013000"), ("iban", "GB82WEST12345698765432")]),
        ("cards 4111 1111 1111 1111 5500 0000 0000 0004",
         [("card", "4111 1111 1111 1111"), ("card", "5500 0000 0000 0004")]),
        ("Amount 20 4111 1111 1111 1111", [("card", "4111 1111 1111 1111")]),
        # Japanese, Chinese and Korean letters are no part of an address written among them.
        ("詳細はtaro@example.jpまでご連絡ください。", [("email", "taro@example.jp")]),
        ("请发邮件到wang@example.cn谢谢", [("email", "wang@example.cn")]),
        ("연락은taro@example.com으로 주세요", [("email", "taro@example.com")]),
        # ... and an address of their own letters is still one (its local part at most the 8
        # characters before the @ that a stream holds back).
        ("山田@example.jp", [("email", "山田@example.jp")]),
        ("連絡は山田@example.jpまで", [("email", "山田@example.jp")]),
        ("user@例子.中国 です", [("email", "user@例子.中国")]),
        ("홍길동@example.kr", [("email", "홍길동@example.kr")]),
        ("\uff54\uff41\uff52\uff4f@example.jp", [("email", "\uff54\uff41\uff52\uff4f@example.jp")]),
        # Identifiers written right against such letters, as Japanese and Chinese do.
        ("電話番号は090-1234-5678です", [("phone", "090-1234-5678")]),
        ("カード4111111111111111です", [("card", "4111111111111111")]),
        ("IPアドレスは192.168.0.1です", [("ip", "192.168.0.1")]),
        ("口座DE89370400440532013000へ", [("iban", "DE89370400440532013000")]),
        ("社会保障番号123-45-6789を", [("ssn", "123-45-6789")]),
    ],
)  # fmt: skip
def test_identifiers_as_people_type_them(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    ["part no. 288-18-4408 is out of stock", "Upgrade to version 5.8.2.2 today",
     "std::vector<int> v; :: done", "Use icon@2x.png on retina screens",
     "ISBN 978-3-16-148410-0, third edition", "IMEI 35-209900-176148-1 registered",
     "IMEI 99-682740-244012-9 is registered to the handset",
     "Rechnung Nr. 23828987075 vom 03.04.2024", "Coordinates -22.005575, -43.013197"],
)  # fmt: skip
def test_look_alikes_are_not_identifiers(text: str) -> None:
    assert found(text) == []


def test_an_iban_is_not_a_card_even_when_only_cards_are_asked_for() -> None:
    # DE… 5320 1300 0 holds a Luhn-valid run; the IBAN around it wins, and is not asked for.
    text = "IBAN DE89 3704 0044 0532 0130 00"
    assert found(text, {"card"}) == []
    assert check(parse({"pii": {"card": "mask"}}), text, "input").text == text


def test_context_words_decide_a_bare_number() -> None:
    assert found("SSN: 469680891", {"ssn"}) == [("ssn", "469680891")]
    assert found("order 469680891", {"bsn"}) == []
    assert found("order 469680891", {"ssn", "bsn"}) == []
    assert found("Lot 121599131 expires 2026", {"ssn"}) == []


def test_nine_bare_digits_are_an_ssn_to_a_policy_that_masks_ssns() -> None:
    # Valid as nothing else: left unmasked before, when a bare SSN was not reported at all.
    assert found("Note: 121599131", {"ssn"}) == [("ssn", "121599131")]
    # It passes a BSN's check digit: a BSN where the policy asks for both, still an SSN where
    # it asks only for SSNs (the BSN no one asked for does not shield it).
    assert found("Note: 469680891", {"ssn"}) == [("ssn", "469680891")]
    assert found("Note: 469680891", {"ssn", "bsn"}) == [("bsn", "469680891")]
    # A valid Spanish number as dialled: the region's plan confirms a phone, nothing an SSN.
    assert found("Note: 689946588", {"ssn", "phone"}) == [("phone", "689946588")]
    # A setting's or a JSON key's value, or a count of something else, is not one...
    for text in ("memory: 268435456", "size=134217728", '{"id": 123456789}', "ZIP 100011234",
                 "Bestellnummer 121599131"):  # fmt: skip
        assert found(text, {"ssn"}) == [], text
    # ... unless a word says it is.
    assert found('{"ssn": 121599131}', {"ssn"}) == [("ssn", "121599131")]
    assert check(parse({"pii": {"ssn": "mask"}}), "Note: 121599131", "input").text == "Note: [SSN]"


def test_a_policy_names_its_phone_regions() -> None:
    brazilian = "Telefone (11) 3456-7890"
    assert found(brazilian, {"phone"}) == []  # not a number in the default regions
    policy = parse({"pii": {"phone": "mask"}, "phone_regions": ["br"]})
    assert policy.phone_regions == ("BR",)
    assert check(policy, brazilian, "input").text == "Telefone [PHONE]"
    with pytest.raises(InvalidInput, match="phone_regions: 'Brazil'"):
        parse({"phone_regions": ["Brazil"]})


def _streamed(policy_raw: dict[str, object], text: str, cuts: list[int]) -> str:
    guard = StreamGuard(parse(policy_raw))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return "".join(guard.feed(piece) for piece in pieces) + guard.flush()


def _released_until_blocked(policy_raw: dict[str, object], text: str, size: int, rule: str) -> str:
    """What a stream fed `size` characters at a time released before `rule` blocked it (the
    test fails if it never does)."""
    guard = StreamGuard(parse(policy_raw))
    released = ""
    with pytest.raises(GuardrailBlocked, match=rule):
        for start in range(0, len(text), size):
            released += guard.feed(text[start : start + size])
        released += guard.flush()
    return released


def test_a_long_email_is_never_released_in_part() -> None:
    email = "a" * 80 + "@" + "very-long-subdomain.example.org"
    text = f"Write to {email} and wait."
    for cut in range(1, len(text), 7):
        assert _streamed({"pii": {"email": "mask"}}, text, [cut]) == "Write to [EMAIL] and wait."


def test_streams_mask_exactly_as_whole_text() -> None:
    policy_raw = {"pii": dict.fromkeys(PII_KINDS, "mask")}
    policy = parse(policy_raw)
    texts = [s.text for s in pii_sentences(1)] + ["part no. 288-18-4408 " * 3]
    for text in texts:
        whole = check(policy, text, "input").text
        for first in range(1, len(text), 5):
            second = min(len(text), first + 11)
            assert _streamed(policy_raw, text, [first, second]) == whole, (text, first)


@pytest.mark.parametrize(
    "pieces",
    [["Your", " IBAN", " is", " DE", "89", " 370", "4", " 004", "4", " 053", "2", " 013", "0",
      " 00", " and", " it", " is", " active", "."],
     ["Please", " use", " card", " 372", "6", " 212", "9", " 972", "2", " 002", " for", " it."],
     ["Karte", " 358", "1", " 930", "3", " 642", "6", " 212", "0", " ist", " gültig", "."]],
)  # fmt: skip
def test_an_identifier_is_judged_whole_by_a_stream_that_blocks_another_kind(
    pieces: list[str],
) -> None:  # fmt: skip
    # The groups of an IBAN or a card, read before the rest came, looked like a phone number:
    # a policy blocking phones blocked the stream that the whole answer passes, masked.
    policy = parse({"pii": {"phone": "block", "iban": "mask", "card": "mask"}})
    guard = StreamGuard(policy)
    streamed = "".join(guard.feed(piece) for piece in pieces) + guard.flush()
    assert streamed == check(policy, "".join(pieces), "output").text


def test_quality_stays_above_its_floors_on_the_fixed_set() -> None:
    def detect(text: str) -> list[Finding]:
        return list(find_pii(text, ALL))

    scores = pii_scores([*pii_sentences(8, seed=11), *hard_negatives(200, seed=11)], detect)
    assert set(scores) == ALL
    low = {kind: round(s.f1, 2) for kind, s in scores.items() if s.f1 < 0.9}
    assert low == {}
    assert flagged_share(hard_negatives(200, seed=11), detect) <= 0.02


def test_a_word_filter_longer_than_the_window_is_never_released_in_part() -> None:
    """The hold-back window grows with the longest phrase a filter in force can match (spelt
    out letter by letter too), so no part of it is released before it can be seen whole."""
    phrase = "the merger with Globex Corporation closes on the first of March next year"
    policy_raw = {"word_filters": [{"name": "merger", "pattern": phrase}]}
    for spelt in (phrase, " ".join(phrase.replace(" ", ""))):
        text = f"Some news for you. {spelt} and that is all."
        for size in (3, 7, 16):
            released = _released_until_blocked(policy_raw, text, size, "word filter: merger")
            assert spelt[:20] not in released, (size, released)


def test_a_bounded_regular_expression_holds_back_as_much_as_its_longest_match() -> None:
    """A regular expression filter held back 256 visible characters whatever it matched, so a
    short answer came all at its end. One with a bound (no `+` or `*`) holds back what its
    longest match could span, spelt out; one without still holds back 256."""
    bounded = {"word_filters": [{"name": "falcon", "pattern": r"project[ -]?falcon",
                                 "regex": True}]}  # fmt: skip
    sentence = ("The quarterly review is on Thursday in the large room on the third floor, and "
                "lunch is served afterwards for everyone who attends the session.")  # fmt: skip
    guard = StreamGuard(parse(bounded))
    released = "".join(guard.feed(word + " ") for word in sentence.split())
    assert released.startswith("The quarterly review is on Thursday in the large room")
    assert released + guard.flush() == sentence + " "
    # Padding the readings drop (variation selectors) is not counted as what is held back.
    padding = "\ufe0f" * 10
    padded = " ".join(padding.join(word) + padding for word in ("project", "falcon"))
    text = f"{sentence} Then {padded} starts."
    with pytest.raises(GuardrailBlocked, match="word filter: falcon"):
        _streamed(bounded, text, list(range(4, len(text), 4)))
    unbounded = {"word_filters": [{"name": "falcon", "pattern": r"project\s+falcon",
                                   "regex": True}]}  # fmt: skip
    guard = StreamGuard(parse(unbounded))
    assert "".join(guard.feed(word + " ") for word in sentence.split()) == ""
    spellings = ["Project Falcon", "P.r.o.j.e.c.t.F.a.l.c.o.n", "P r o j e c t F a l c o n",
                 "Pr0ject-Falc0n"]  # fmt: skip
    for policy_raw, spelt_as in ((bounded, spellings), (unbounded, spellings[:1])):
        for spelt in spelt_as:
            text = f"{sentence} Then {spelt} starts."
            for size in (1, 3, 7):
                released = _released_until_blocked(policy_raw, text, size, "word filter: falcon")
                assert spelt[:3] not in released.split("Then")[-1], (spelt, size, released)


def test_a_short_answer_is_released_as_it_comes_not_at_its_end() -> None:
    """With only PII checks in force, text is held back only where an identifier could still be
    forming: a few characters and the word under way, or from a little before the first digit
    in the last window."""
    policy_raw = {"pii": dict.fromkeys(PII_KINDS, "mask")}
    sentence = "Sure, the meeting room on the second floor is free after lunch today."
    words = sentence.split()
    guard = StreamGuard(parse(policy_raw))
    released = "".join(guard.feed(word + " ") for word in words)
    assert released.startswith("Sure, the meeting room on the second floor is free after")
    assert released + guard.flush() == " ".join(words) + " "
    numbered = _streamed(policy_raw, "Call 030 3898 1918 now, please, or write.", [12, 20])
    assert numbered == "Call [PHONE] now, please, or write."


def test_a_short_answer_in_japanese_is_released_as_it_comes() -> None:
    """Japanese has no spaces: the answer was one run of characters, held back as an address
    might be until its end (320 characters). An address in it is still masked whole."""
    policy_raw = {"pii": dict.fromkeys(PII_KINDS, "mask")}
    text = "東京の天気は晴れです。明日は雨が降るでしょう。連絡はtaro@example.jpまでどうぞ。"
    guard = StreamGuard(parse(policy_raw))
    released = [guard.feed(character) for character in text]
    assert "".join(released).startswith("東京の天気は晴れです。明日は雨が降る")
    assert "".join(released) + guard.flush() == check(parse(policy_raw), text, "input").text
    assert check(parse(policy_raw), text, "input").text.endswith("連絡は[EMAIL]までどうぞ。")
    for size in range(1, 9):
        cuts = list(range(size, len(text), size))
        assert _streamed(policy_raw, text, cuts).endswith("連絡は[EMAIL]までどうぞ。")
    # Identifiers right against Japanese letters, in any chunking, as the whole text.
    dense = "電話番号は090-1234-5678です。カード4111111111111111で、メールは山田@example.jpまで。"
    whole = check(parse(policy_raw), dense, "input").text
    assert whole == "電話番号は[PHONE]です。カード[CARD NUMBER]で、メールは[EMAIL]まで。"
    for first in range(1, len(dense), 3):
        assert _streamed(policy_raw, dense, [first, min(len(dense), first + 5)]) == whole, first
    # What was released is kept as context from its first Japanese letter when it holds no
    # space: "詳細はreference" is not the word "reference", which would deny the number after.
    before = "東京の天気は晴れです。明日は雨が降るでしょう。週末は曇りのち晴れです。" * 3
    text = before + "詳細はreference 287-65-4321。"
    for action in ("mask", "block"):
        raw = {"pii": {"ssn": action}}
        try:
            whole = check(parse(raw), text, "output").text
        except GuardrailBlocked:
            whole = "blocked"
        for cut in (len(before) + 3, len(before) + 13, len(before) + 20):
            try:
                assert _streamed(raw, text, [cut]) == whole, (action, cut)
            except GuardrailBlocked:
                assert whole == "blocked", (action, cut)
    # With a word filter in force, a word ends only at a space, as the whole text reads it:
    # "機密" is not the word of "機密情報".
    filtered = {"word_filters": [{"name": "secret", "pattern": "機密"}]}
    compound = "それは機密情報の扱いです。"
    assert _streamed(filtered, compound, [1, 2, 3, 4, 5]) == compound
    with pytest.raises(GuardrailBlocked, match="word filter: secret"):
        _streamed(filtered, "それは 機密 です。", [1, 2, 3, 4, 5])


def test_what_streams_hold_back_is_not_fooled_by_padding_context_or_long_runs() -> None:
    # Padding: a filtered word spelt out with runs of spaces is held back until it is whole.
    spaced = "So: b   o   m   b   is the word."
    with pytest.raises(GuardrailBlocked, match="word filter: danger"):
        _streamed({"word_filters": [{"name": "danger", "pattern": "bomb"}]}, spaced,
                  list(range(2, len(spaced), 2)))  # fmt: skip
    # Context already released still counts for blocking: a bare SSN after its label is blocked.
    text = "Sure. The social security number on file is 536228726, as you asked."
    released = _released_until_blocked({"pii": {"ssn": "block"}}, text, 4,
                                       "US social security number")  # fmt: skip
    assert "5362" not in released
    # An email at the end of a run longer than MAX_RUN (minified JSON) is masked whole.
    json_text = '{"data":"' + "x" * 400 + '","email":"john.doe@example.com"}'
    cuts = list(range(3, len(json_text), 5))
    assert _streamed({"pii": {"email": "mask"}}, json_text, cuts).endswith('"email":"[EMAIL]"}')


def test_a_stream_blocks_a_filtered_word_only_where_the_whole_text_would() -> None:
    """Context kept from released text starts at a word, and the word under way is not read as
    whole until it is: "class", "glass" and "assessment" pass a filter on "ass"."""
    policy_raw = {"word_filters": [{"name": "rude", "pattern": "ass"}]}
    text = "The first class of the day is at nine, then the glass workshop and the assessment."
    for size in range(1, 8):
        assert _streamed(policy_raw, text, list(range(size, len(text), size))) == text
    with pytest.raises(GuardrailBlocked, match="word filter: rude"):
        _streamed(policy_raw, "You are an ass, frankly.", [9, 14])


def test_a_plain_filter_is_matched_without_its_edge_spaces() -> None:
    with pytest.raises(GuardrailBlocked, match="word filter: bad word"):
        check(parse({"word_filters": [{"pattern": " bad word "}]}), "That is a bad word.", "input")
