"""The blame-language lint skips a text holding none of its rules' words: it must never skip one a rule matches."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from handbook_gen.core import lint

# Each rule's own text, spelled with every letter re.IGNORECASE also takes for it.
TRICKY = [
    "HUMAN ERROR", "Careleſs", "CARELESSNESS", "whose FAULT", "İncompetent", "ıncompetence", "negligence", "NEGLIGENT",
    "shouLd've KNOWN", "ſhould have been more careful", "to blame", "Blamed", "stupid mistaKe", "idiotic mistake",
    "dumb miſtake", "DROPPED THE BALL", "our fault", "their fault",
]


def _found(text: str) -> list[str]:
    return [m.group(0) for m in lint._ANY.finditer(text)]


def test_every_rule_has_a_word_its_matches_hold():
    for pattern, _ in lint.RULES:
        words = [hint for hint in lint.HINTS if hint in pattern.pattern]
        assert words, f"no word of lint.HINTS in {pattern.pattern}: add one"


def test_a_text_a_rule_matches_is_always_scanned():
    for text in TRICKY:
        assert _found(f"We said: {text}.") != [], text
        assert lint._may_blame(f"We said: {text}."), text
        assert [d.code for d in lint._scan("s.md", f"It was {text} again", 3, 1, fixed_line=True)] == ["HB401"], text


ALPHABET = st.sampled_from(list("abcdefghiklmnoprstuwy '-") + ["\u0130", "\u0131", "\u017f", "\u212a", "K", "S", "I"])


@settings(max_examples=1000, deadline=None, database=None)
@given(st.lists(st.one_of(st.sampled_from(TRICKY), st.text(ALPHABET, max_size=12)), max_size=6).map(" ".join))
def test_the_words_never_hide_a_match(text):
    if _found(text):
        assert lint._may_blame(text), text


def test_every_character_re_takes_for_an_ascii_letter_lowers_to_it_for_the_hints():
    """re.IGNORECASE takes a few characters beyond A-Z for a-z (dotted and dotless I, long s, the
    Kelvin sign): the hints' lowering must turn each into its letter."""
    everything = "".join(chr(c) for c in range(0x80, 0x30000) if not 0xD800 <= c < 0xE000)
    beyond = re.findall("[a-z]", everything, re.IGNORECASE)
    assert beyond  # there are some: the test looks at them
    for char in beyond:
        letter = next(x for x in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(x, char, re.IGNORECASE))
        assert char.translate(lint._FOLD).lower() == letter, (hex(ord(char)), letter)
