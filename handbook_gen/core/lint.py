"""Blameless-language rules: stories are about systems and decisions, not people."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .diagnostics import Diagnostic, warning
from .frontmatter import Document, KeyPath
from .segments import Body, Kind

# Each rule: a pattern and the suggestion shown with it.
RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), advice)
    for pattern, advice in (
        (r"\bhuman[- ]error\b", "describe the system condition that made the mistake easy"),
        (r"\bcareless(ly|ness)?\b", "describe what the process did not catch"),
        (r"\bwhose fault\b", "ask what made the failure possible, not who"),
        (r"\b(his|her|their|my|your|our) fault\b", "faults belong to systems here"),
        (r"\bshould(?: have|'ve) known\b", "describe what information was missing at the time"),
        (r"\bshould(?: have|'ve) been more careful\b", "describe the safeguard that was missing"),
        (r"\b(?:to )?blam(?:e|ed|es|ing)\b", "this handbook is blameless: describe decisions and systems"),
        (r"\bnegligen(?:t|ce)\b", "describe the gap in the process"),
        (r"\bincompeten(?:t|ce)\b", "describe the gap in training, tooling or process"),
        (r"\b(?:stupid|idiot(?:ic)?|dumb) mistake\b", "failing means trying: describe the decision and its context"),
        (r"\bdropped the ball\b", "describe the hand-off that failed"),
    )
)


# The text `handbook new` writes for the author to replace: left in a story, it is a warning.
PLACEHOLDERS = {
    "summary": "One or two sentences for listings and search: what happened and what it taught us.",
    "what_happened": "Tell the story in order, about systems and decisions, not people.",
    "what_changed": "What the story taught us, and what is different now.",
    "internal": "Details for staff only (tickets, customers, hostnames) go between these markers.",
    "why_1": "Why did users notice? (the symptom)",
    "why_2": "Why did that happen? (keep asking until you reach a decision or a system)",
}

# All rules in one pattern, so a text is scanned once whatever the number of rules.
_ANY = re.compile("|".join(f"(?P<r{i}>{pattern.pattern})" for i, (pattern, _) in enumerate(RULES)), re.IGNORECASE)
# A word of each rule, so that most texts (which hold none) are never given to the pattern: a
# plain substring search of the lowered text is 20 times faster than the pattern's. Exact: every
# match holds one of them, letter for letter as re.IGNORECASE compares letters once _FOLD has
# turned the three letters it also takes for i and s (dotted and dotless I, long s) into them
# (the Kelvin sign lowers to k by itself). A rule added must add its word (tests/test_lint_hints.py).
HINTS = ("human", "careles", "fault", "hould", "blam", "neglig", "ncompeten", "mistake", "dropped")
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def _may_blame(text: str) -> bool:
    lowered = text.translate(_FOLD).lower()
    return any(hint in lowered for hint in HINTS)


def check_story(path: str, doc: Document, body: Body) -> list[Diagnostic]:
    """Warn about blame language in a story's front-matter text and the prose of its body (never code)."""
    problems: list[Diagnostic] = []
    for key, text in _front_matter_text(doc.data):
        line, col = doc.where(key)
        problems.extend(_scan(path, text, line, col, fixed_line=True))
    for segment in body.segments:
        if segment.kind is Kind.PROSE:
            problems.extend(_scan(path, segment.text, body.first_line + segment.start, 1, fixed_line=False))
            if any(text in segment.text for text in PLACEHOLDERS.values()):
                problems.append(_placeholder(path, body.first_line + segment.start))
    if doc.data.get("summary") == PLACEHOLDERS["summary"]:
        problems.append(_placeholder(path, doc.where(("summary",))[0]))
    whys = doc.data.get("five_whys")
    for i, why in enumerate(whys if isinstance(whys, list) else []):
        if why in PLACEHOLDERS.values():
            problems.append(_placeholder(path, doc.where(("five_whys", i))[0]))
    return problems


def _placeholder(path: str, line: int) -> Diagnostic:
    return warning("HB402", path, line, "placeholder text from 'handbook new' is still here - replace it with the story")


def _front_matter_text(data: dict[str, Any]) -> Iterable[tuple[KeyPath, str]]:
    # Raw data, so a story rejected for other errors is still checked in the same pass.
    for name in ("title", "summary", "public_summary", "impact"):
        if isinstance(data.get(name), str):
            yield (name,), data[name]
    for name in ("five_whys", "contributing_factors"):
        values = data.get(name)
        for i, value in enumerate(values if isinstance(values, list) else []):
            if isinstance(value, str):
                yield (name, i), value


def _scan(path: str, text: str, line: int, col: int, fixed_line: bool) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if not _may_blame(text):
        return found
    for m in _ANY.finditer(text):
        advice = RULES[int(m.lastgroup[1:]) if m.lastgroup else 0][1]
        if fixed_line:
            at_line, at_col = line, col
        else:
            start = text.rfind("\n", 0, m.start()) + 1
            at_line, at_col = line + text.count("\n", 0, start), m.start() - start + 1
        found.append(warning("HB401", path, at_line, f"blame language '{m.group(0)}': {advice}", col=at_col))
    return found
