"""Related stories by what they say: suggestions per variant, deterministic, named ones first."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

from conftest import build_site, story

from handbook_gen.core import similarity
from handbook_gen.core.clearance import digest, with_clearance
from handbook_gen.core.loading import load


def _s(title: str, summary: str = "", body: str = "", whys: tuple[str, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(title=title, summary=summary, five_whys=list(whys), body=body)


DB = "The database failover promoted a stale replica and the replication lag lost writes."
STORIES = {
    "db-one": _s("Failover promoted a stale replica", DB),
    "db-two": _s("Replica lag during a database failover", DB.replace("lost", "dropped")),
    "cats": _s("The office cat unplugged the printer", "A cat, a printer and a cable under a desk."),
    "printer": _s("Printer queue jammed for a week", "The printer queue jammed: a cable and a driver."),
}


def test_a_story_is_suggested_the_stories_that_say_what_it_says():
    out = similarity.suggest(STORIES, {sid: [] for sid in STORIES})
    assert out["db-one"][0] == "db-two" and out["db-two"][0] == "db-one"
    assert out["cats"][0] == "printer" and out["printer"][0] == "cats"
    assert "cats" not in out["db-one"] and "printer" not in out["db-one"]


def test_named_related_stories_come_first_and_suggestions_only_fill_up_to_three():
    named = {sid: [] for sid in STORIES} | {"db-one": ["cats"], "cats": ["db-one", "db-two", "printer"]}
    out = similarity.suggest(STORIES, named)
    assert "cats" not in out["db-one"] and "db-one" not in out["db-one"]  # neither named nor itself
    assert len(out["db-one"]) <= 2 and out["db-one"][0] == "db-two"
    assert out["cats"] == []  # three named: nothing to add


def test_ties_go_by_id_and_the_result_does_not_depend_on_the_order_stories_come_in():
    twins = {"b-twin": _s("Replica failover", DB), "a-twin": _s("Replica failover", DB), "me": _s("Replica failover", DB),
             "other": _s("Printer cable", "A printer cable.")}
    out = similarity.suggest(twins, {sid: [] for sid in twins})
    assert out["me"][:2] == ["a-twin", "b-twin"]
    backwards = dict(reversed(list(twins.items())))
    assert similarity.suggest(backwards, {sid: [] for sid in twins}) == out


def test_a_word_no_other_story_uses_suggests_nothing():
    alone = {"a": _s("zebra"), "b": _s("yak"), "c": _s("quokka")}
    assert similarity.suggest(alone, {sid: [] for sid in alone}) == {"a": [], "b": [], "c": []}


def test_scoring_a_story_costs_no_more_as_the_handbook_grows():
    """Every word's posting list is capped: a story's candidates are bounded whatever the size."""
    many = {f"s{i:05d}": _s(f"Failover {i}", DB) for i in range(similarity.POSTINGS * 3)}
    vecs = similarity.vectors(many)
    assert all(len(v) <= similarity.TOP_TERMS for v in vecs.values())
    out = similarity.suggest(many, {sid: [] for sid in many})
    # Identical texts: every story is suggested the lowest ids of the capped lists, in id order.
    assert out["s00100"] == ["s00000", "s00001", "s00002"]


def _suggest_both(stories: dict, kept: similarity.Kept) -> dict[str, list[str]]:
    """A preview's suggestions with `kept`, and a full computation of the same stories, which builds make."""
    named = {sid: [] for sid in stories}
    return similarity.suggest(stories, named, kept=kept), similarity.suggest(stories, named)


def test_a_preview_suggests_for_an_unchanged_handbook_what_a_build_suggests():
    kept = similarity.Kept()
    first, full = _suggest_both(STORIES, kept)
    assert first == full and kept.full == 1
    again, full = _suggest_both(dict(STORIES), kept)
    assert again == full and kept.full == 1  # nothing changed: nothing computed again


def test_a_preview_suggests_again_for_the_edited_story_and_the_stories_that_suggested_it():
    many = {f"db-{i}": _s(f"Database failover {i}", DB) for i in range(8)} | {
        "cats": _s("The office cat unplugged the printer", "A cat, a printer and a cable under a desk."),
        "printer": _s("Printer queue jammed for a week", "The printer queue jammed: a cable and a driver."),
        "badge": _s("Badges stopped opening doors", "The door badge readers lost their printer cable server."),
    }
    kept = similarity.Kept()
    before, _ = _suggest_both(many, kept)
    assert "db-0" in before["db-1"] and "db-0" not in before["printer"]
    # db-0 is retold as a printer story: it leaves the lists of the stories that suggested it,
    # and its own list follows its new text.
    edited = many | {"db-0": _s("The printer cable jammed", "A printer, a cable and a driver under a desk.")}
    after, full = _suggest_both(edited, kept)
    assert kept.full == 1  # one story edited: the kept statistics served
    assert "db-0" not in after["db-1"] and after["db-1"] == full["db-1"]
    assert after["db-0"] == full["db-0"] and "printer" in after["db-0"]
    # A story that neither was nor suggested the edited one keeps its list.
    assert after["badge"] == before["badge"]


def test_a_preview_computes_everything_again_when_stories_come_or_go_or_many_change():
    kept = similarity.Kept()
    _suggest_both(STORIES, kept)
    added = STORIES | {"db-three": _s("A third failover", DB)}
    got, full = _suggest_both(added, kept)
    assert got == full and kept.full == 2
    many = {f"s{i:03d}": _s(f"Failover {i}", DB) for i in range(40)}
    _suggest_both(many, kept)
    retold = {sid: _s(s.title, "The printer cable jammed.") if int(sid[1:]) < 20 else s for sid, s in many.items()}
    got, full = _suggest_both(retold, kept)
    assert got == full and kept.full == 4  # half the stories edited: more than a preview keeps up with


# A real build: public suggestions come from public stories only.

PUBLIC = "visibility: public\n"
REPLICA = "## What happened\n\nThe database failover promoted a stale replica; replication lag lost the last writes.\n"


def _tree(with_internal: bool) -> dict:
    stories = {
        "replica.md": story("Failover promoted a stale replica", summary="A database failover lost writes to replication lag.", extra=PUBLIC, body=REPLICA),
        "lag.md": story("Replication lag after failover", summary="Replica lag during a database failover dropped writes.", extra=PUBLIC, body=REPLICA),
        "printer.md": story("The printer queue jammed", summary="A printer cable and a driver stopped every print job.", extra=PUBLIC),
        "badge.md": story("Badges stopped opening doors", summary="The door badge readers lost their server for an hour.", extra=PUBLIC),
    }
    if with_internal:
        # Says what the public replica story says, word for word: the internal site suggests it.
        stories["zz-secret-replica.md"] = story(
            "Failover promoted a stale replica again", summary="A database failover lost writes to replication lag, again.", body=REPLICA,
        )
    return {"stories": {"2021": stories}}


def _cleared(root: Path) -> None:
    hb, _ = load(root / "stories", root)
    for s in hb.stories.values():
        if s.meta.visibility == "public":
            (root / "stories" / s.src).write_text(with_clearance(hb.sources[s.src], "bob", dt.date(2021, 6, 1), digest(s)), encoding="utf-8")


def _related(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    start = html.index('id="related-stories"')
    return html[start:html.index("</article>", start)]


def test_a_public_page_suggests_only_public_stories_and_is_not_shaped_by_internal_ones(make_handbook):
    both = make_handbook(_tree(True), name="both")
    alone = make_handbook(_tree(False), name="alone")
    for root in (both, alone):
        _cleared(root)
    internal = build_site(both, "internal")
    assert "zz-secret-replica" in _related(internal / "2021" / "replica" / "index.html")  # the internal site does suggest it
    public_both, public_alone = build_site(both, "public"), build_site(alone, "public")
    for name in ("replica", "lag", "printer", "badge"):
        shown = _related(public_both / "2021" / name / "index.html")
        assert "secret" not in shown.lower()
        assert shown == _related(public_alone / "2021" / name / "index.html")  # the same as public stories alone make
    assert re.search(r'href="\.\./lag/"', _related(public_both / "2021" / "replica" / "index.html"))
