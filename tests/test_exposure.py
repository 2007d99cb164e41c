"""Internal text written again in public lessons, pages and stories is found by `check`."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import lesson, story

from handbook_gen.core.validation import check

SECRET_STORY = story(
    "The night the ledger service lost its keys",
    summary="A key rotation script removed the only copy of the ledger signing keys.",
    authors="[bob]",
)


def run(root):
    _, problems = check(root / "stories", root, today=dt.date(2026, 11, 28))
    return [(d.path, d.line, d.code, d.severity) for d in problems if d.code in ("HB307", "HB308")], problems


@pytest.mark.parametrize(("quote", "what"), [
    ("As the night the ledger service lost its keys showed, keys need two copies.", "the field 'title' of internal story 'secret' (stories/2021/secret.md)"),
    # A summary quoted over two lines of a paragraph is still found.
    ("A key rotation script removed the only copy\nof the ledger signing keys.", "the field 'summary' of internal story 'secret' (stories/2021/secret.md)"),
    ("Thanks to BOB HIDDEN for telling it.", "the field 'name' of non-public author 'bob' (authors.yml)"),
])
def test_a_public_lesson_quoting_internal_content_is_an_error_naming_both_files(make_handbook, quote, what):
    body = f"---\ntitle: Two copies\nsummary: Keep two copies of every key.\n---\n\nIntro.\n\n{quote}\n"
    root = make_handbook({"stories": {"2021": {"secret.md": SECRET_STORY}, "lessons": {"two-copies.md": body}}})
    found, problems = run(root)
    assert found == [("stories/lessons/two-copies.md", 8, "HB308", "error")]
    message = next(d.message for d in problems if d.code == "HB308")
    assert message == f"public text quotes {what} - rewrite it, or make this page internal"


def test_quotes_in_internal_pages_and_sections_are_fine(make_handbook):
    quote = "The night the ledger service lost its keys"
    root = make_handbook({"stories": {
        "2021": {"secret.md": SECRET_STORY},
        "notes.md": f"---\ntitle: Notes\n---\n\n{quote}.\n",  # a page is internal unless it says otherwise
        "lessons": {"keep-backups.md": lesson(extra="") + f"\n<!-- internal -->\n{quote}.\n<!-- /internal -->\n"},
    }})
    found, _ = run(root)
    assert found == []


@pytest.mark.parametrize(("title", "summary", "page_title", "quote"), [
    ("Ночь, когда сервис потерял ключи", "Скрипт ротации удалил единственную копию ключей подписи.",
     "О нас", "Мы помним: ночь, когда сервис потерял ключи."),
    # Japanese has no spaces between words: each letter counts as a word, as the audit counts
    # them, so the title is long enough to be told apart from common text.
    ("鍵を失った夜の話", "ローテーションの手順が署名鍵の唯一のコピーを消した。", "私たち", "「鍵を失った夜の話」を覚えています。"),
], ids=["cyrillic", "japanese"])
def test_a_public_pages_quote_of_an_internal_title_in_any_script_is_found(make_handbook, title, summary, page_title, quote):
    page = f"---\ntitle: {page_title}\nvisibility: public\n---\n\n{quote}\n"
    root = make_handbook({"stories": {"2021": {"keys.md": story(title, summary=summary)}, "about.md": page}})
    found, problems = run(root)
    assert found == [("stories/about.md", 6, "HB308", "error")]
    assert "the field 'title' of internal story 'keys' (stories/2021/keys.md)" in next(d.message for d in problems if d.code == "HB308")


def test_a_public_story_repeating_its_own_internal_value_is_warned(make_handbook):
    extra = "visibility: public\nimpact: Checkout on db-prod-17.internal was down.\ninternal:\n  host: db-prod-17.internal\n  ticket: 4711\n"
    body = "## What happened\n\nThe primary, db-prod-17.internal, filled its disk.\n\n<!-- internal -->\nTicket 4711.\n<!-- /internal -->\n"
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra=extra, body=body)}}})
    found, problems = run(root)
    assert found == [("stories/2021/first-story.md", 8, "HB307", "warning"), ("stories/2021/first-story.md", 16, "HB307", "warning")]
    assert "public text repeats 'db-prod-17.internal', a value of its own 'internal' mapping" in next(d.message for d in problems if d.code == "HB307")
