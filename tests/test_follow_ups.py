"""Follow-ups that can be tracked: an owner, a due date and a ticket link, on internal pages only.

The internal follow-ups page sorts open ones by due date (undated last) and marks overdue ones
against the build's date; the public site keeps counts only, and the audit looks for the links."""

from __future__ import annotations

import html
import re

import conftest
import pytest
from conftest import build_site, story
from test_readers import article, text_of
from variant_support import clear, site_files

from handbook_gen.core import projection
from handbook_gen.core.audit import needles
from handbook_gen.core.validation import check
from handbook_gen.core.variants import Variant, select
from handbook_gen.core.words import normalise

# conftest's authors, Bob able to clear, and Carol, who owns a follow-up and is not public.
AUTHORS = conftest.AUTHORS.replace("  team: data\n", "  team: data\n  can_clear: true\n") + "carol:\n  name: Carol Zqxowner\n  team: payments\n"

LINK = "https://tickets.example.com/browse/ZQXTICKET-4711"
# 2025-03-01 00:00 UTC: the build's date, whatever the machine's clock says.
EPOCH = "1740787200"


def tracked_tree() -> dict:
    public = story("The public outage story", date="2024-02-01", extra=f"""\
        visibility: public
        follow_ups:
          - {{title: Rotate the keys, owner: carol, due: 2027-11-23, link: "{LINK}"}}
          - {{title: Write the runbook, status: done, owner: carol, due: 2026-12-24}}
        """)
    internal = story("The internal outage story", date="2023-05-05", extra="""\
        follow_ups:
          - {title: Undated chore}
          - {title: Late thing, owner: ada, due: 2025-01-15}
          - {title: Due today, due: 2025-03-01}
          - {title: Early late thing, due: 2024-06-30, link: "http://tickets.example.com/ZQX-1"}
        """)
    older = story("An older story", date="2020-01-01", extra="""\
        follow_ups:
          - {title: Another undated chore}
          - {title: Far ahead, due: 2030-01-01}
        """)
    return {"stories": {"authors.yml": AUTHORS, "2024": {"public-outage.md": public},
                        "2023": {"internal-outage.md": internal}, "2020": {"older.md": older}}}


def rows(page: str) -> list[list[str]]:
    """The follow-ups table's rows, each as the text of its cells."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [[text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)] for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_follow_ups_page_sorts_open_ones_by_due_date_and_marks_overdue_ones(make_handbook, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = make_handbook(tracked_tree())
    page = article(build_site(root, "internal"), "follow-ups/")
    assert rows(page) == [
        ["2024-06-30 overdue", "Early late thing", "The internal outage story", "", "tickets.example.com/ZQX-1"],
        ["2025-01-15 overdue", "Late thing", "The internal outage story", "Ada Lovelace", ""],
        ["2025-03-01", "Due today", "The internal outage story", "", ""],  # due today is not late yet
        ["2027-11-23", "Rotate the keys", "The public outage story", "Carol Zqxowner", "tickets.example.com/browse/ZQXTICKET-4711"],
        ["2030-01-01", "Far ahead", "An older story", "", ""],
        # Undated last, oldest story first.
        ["no date", "Another undated chore", "An older story", "", ""],
        ["no date", "Undated chore", "The internal outage story", "", ""],
    ]
    assert page.count('class="hb-overdue"') == 2
    assert "7 open follow-ups from 3 stories, by due date, undated last; 2 overdue (1 done)." in text_of(page)
    assert f'<a href="{LINK}">' in html.unescape(page)  # the theme's escaping writes ':' as a reference
    # The owner links to their author page.
    assert '<a href="../authors/carol/">Carol Zqxowner</a>' in page


def test_the_overdue_mark_follows_the_build_date(make_handbook, monkeypatch):
    root = make_handbook(tracked_tree())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14: nothing due yet
    page = article(build_site(root, "internal"), "follow-ups/")
    assert "hb-overdue" not in page and "overdue" not in text_of(page)


def test_internal_story_pages_show_owner_due_date_and_link(make_handbook):
    root = make_handbook(tracked_tree())
    page = text_of(article(build_site(root, "internal"), "2024/public-outage/"))
    assert f"open Rotate the keys · Carol Zqxowner · due 2027-11-23 · {LINK.split('://')[1]}" in page
    assert "done Write the runbook · Carol Zqxowner · due 2026-12-24" in page


def test_no_public_page_holds_a_follow_ups_owner_due_date_or_link(make_handbook):
    root = make_handbook(tracked_tree())
    clear(root, "public-outage")
    public = build_site(root, "public")
    assert (public / "2024" / "public-outage" / "index.html").exists()
    # Every built file, search index and sitemap included.
    tokens = ["Carol Zqxowner", "carol", "2027-11-23", "2026-12-24", "ZQXTICKET", "tickets.example.com", "Rotate the keys"]
    hits = [f"{rel}: {t}" for rel, data in site_files(public).items() for t in tokens if t.lower().encode() in data.lower() or t in rel]
    assert hits == []
    # Counts only, as before.
    assert "2 follow-up actions, 1 done." in text_of(article(public, "2024/public-outage/"))


def test_the_projection_withholds_owner_due_and_link_and_the_audit_looks_for_the_link(make_handbook):
    root = make_handbook(tracked_tree())
    clear(root, "public-outage")
    hb, problems = check(root / "stories", root)
    assert [d for d in problems if d.severity == "error"] == []
    s = hb.stories["public-outage"]
    # The public data of follow-ups is their statuses, nothing else: the clearance digest never sees owners, dates or links.
    assert projection.split(s.meta).public["follow_ups"] == ["open", "done"]
    assert projection.story_content(s)["follow_ups"] == ["open", "done"]
    withheld = {(p.path, p.text) for p in projection.split(s.meta).withheld}
    assert (("follow_ups", 0, "link"), LINK) in withheld
    found, _, _ = needles(hb, select(hb, Variant.PUBLIC))
    assert normalise(LINK) in {n.text for n in found}
    # The link of an internal story's follow-up is looked for too.
    assert normalise("http://tickets.example.com/ZQX-1") in {n.text for n in found}


def test_an_unknown_owner_is_an_error_naming_file_line_and_field(make_handbook):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="""\
        follow_ups:
          - title: Rotate the keys
          - title: Write the runbook
            owner: carl
        """)}}})
    _, problems = check(root / "stories", root)
    assert [d.text() for d in problems] == [
        "stories/2021/first-story.md:10:5: error: HB202 'follow_ups[1].owner': unknown author 'carl' (add it to authors.yml)"
    ]


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://files.example.com/x", "https://", "tickets.example.com/INC-1", "https://a b.example/"])
def test_a_follow_up_link_is_an_http_address(make_handbook, link):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra=f"""\
        follow_ups:
          - {{title: Rotate the keys, link: "{link}"}}
        """)}}})
    _, problems = check(root / "stories", root)
    errors = [d.text().split(": error: ")[1] for d in problems if d.severity == "error"]
    assert errors == [f"HB103 'follow_ups[0].link' must be an address starting with http:// or https://, found '{link}'"]


def test_a_due_date_is_a_date(make_handbook):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="""\
        follow_ups:
          - {title: Rotate the keys, due: next week}
        """)}}})
    _, problems = check(root / "stories", root)
    assert [d.text().split(": error: ")[1] for d in problems if d.severity == "error"] == ["HB103 'follow_ups[0].due' must be a real date written YYYY-MM-DD, found 'next week'"]
