"""The public projection: derived from the schema's markers, read by the digest, the quote checks and the audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated

import pydantic
import pytest
from conftest import lesson, story

from handbook_gen.core import audit, exposure, projection
from handbook_gen.core.clearance import digest
from handbook_gen.core.loading import load
from handbook_gen.core.model import Publication, Status
from handbook_gen.core.schema import NEVER, Public, Show, Story, Text
from handbook_gen.core.variants import Variant, select
from handbook_gen.core.words import normalise

POSTSCRIPT = "Nobody noticed the spare key under the doormat for a year"
NOTE = "Ask the vendor again about the secret rotation contract"

# A story model with one new public text field and one new internal one, declared as any field is.
ExtStory = pydantic.create_model(
    "ExtStory",
    __base__=Story,
    postscript=(Annotated[Text | None, Public(Show.AS_IS, later=True)], None),
    note=(Annotated[Text | None, NEVER], None),
)


def _load(root):
    hb, problems = load(root / "stories", root, today=dt.date(2026, 11, 28))
    assert [d for d in problems if d.severity.value == "error"] == []
    return hb


def _extend(entry, **fields):
    """Give a loaded story the extended model, with the new fields set."""
    entry.meta = ExtStory.model_validate({**dict(entry.meta), **fields})


def _publish(entry):
    entry.publication = Publication(Status.PUBLIC, "", True)


def test_a_new_public_field_changes_the_digest_and_a_new_internal_one_does_not(make_handbook):
    entry = _load(make_handbook()).stories["first-story"]
    before = digest(entry)
    _extend(entry)
    assert digest(entry) == before  # added later: unset, it voids no clearance
    _extend(entry, note=NOTE)
    assert digest(entry) == before
    _extend(entry, note=NOTE, postscript=POSTSCRIPT)
    assert digest(entry) != before
    assert projection.story_content(entry)["postscript"] == POSTSCRIPT
    assert "note" not in projection.story_content(entry)


def test_the_audit_looks_for_every_text_of_a_new_field(make_handbook):
    hb = _load(make_handbook({"stories": {"2021": {"second.md": story("A second story to tell")}}}))
    _extend(hb.stories["first-story"], postscript=POSTSCRIPT, note=NOTE)  # internal: all of it withheld
    _extend(hb.stories["second"], postscript="A public afterword about the broken lock", note="A second private note about the contract")
    _publish(hb.stories["second"])  # public: only the internal field withheld
    found = {n.text: n.what for n in audit.needles(hb, select(hb, Variant.PUBLIC))[0]}
    assert found[normalise(POSTSCRIPT)] == "field 'postscript' of internal story 'first-story'"
    assert found[normalise(NOTE)] == "field 'note' of internal story 'first-story'"
    assert found[normalise("A second private note about the contract")] == "field 'note' of story 'second' (never shown)"
    assert normalise("A public afterword about the broken lock") not in found


def test_the_quote_checks_see_a_new_field(make_handbook):
    quoting = lesson("Quote it", "A public lesson.").replace("Restore them regularly.", f"As we wrote: {POSTSCRIPT}.")
    root = make_handbook({"stories": {"lessons": {"quote-it.md": quoting}}})
    hb = _load(root)
    _extend(hb.stories["first-story"], postscript=POSTSCRIPT)
    problems = exposure.check(hb)
    assert [(d.code, d.path) for d in problems] == [("HB308", "stories/lessons/quote-it.md")]
    assert "field 'postscript' of internal story 'first-story'" in problems[0].message
    # A public story repeating a value of its own internal mapping in the new field: HB307.
    entry = hb.stories["first-story"]
    _extend(entry, visibility="public", internal={"host": "db-prod-17.internal"}, postscript="It ran on db-prod-17.internal all along.")
    assert [d.code for d in exposure.check(hb) if d.code == "HB307"] == ["HB307"]


@pytest.mark.parametrize(("field", "value"), [
    ("timeline", "\n  - at: '10:32'\n    event: The vault door was left wide open overnight\n"),
    ("lucky", "\n  - The vault door was left wide open overnight\n"),
    ("detection", " The vault door was left wide open overnight\n"),
])
def test_an_internal_storys_timeline_lucky_and_detection_are_withheld(make_handbook, field, value):
    quoting = lesson("Quote it", "A public lesson.").replace("Restore them regularly.", "The vault door was left wide open overnight.")
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra=f"{field}:{value}")}, "lessons": {"quote-it.md": quoting}}})
    hb = _load(root)
    found = {n.text: n.what for n in audit.needles(hb, select(hb, Variant.PUBLIC))[0]}
    assert found[normalise("The vault door was left wide open overnight")].startswith(f"field '{field}")
    assert [d.code for d in exposure.check(hb)] == ["HB308"]


def test_the_audit_reads_the_internal_sections_of_a_body_with_a_warning(make_handbook):
    dense = "a*" * 150  # more markup than a paragraph may hold: a warning (HB010), not an error
    body = f"Public words.\n\n{dense}\n\n<!-- internal -->\nThe customer was Initech and nobody else knew.\n<!-- /internal -->\n"
    root = make_handbook({"stories": {"2021": {"first-story.md": story(body=body)}}})
    hb, problems = load(root / "stories", root)
    assert "HB010" in {d.code for d in problems}
    _publish(hb.stories["first-story"])
    found = {n.text: n.what for n in audit.needles(hb, select(hb, Variant.PUBLIC))[0]}
    assert found[normalise("The customer was Initech and nobody else knew.")] == "internal section of story 'first-story'"


def test_the_public_story_view_reads_the_projection(make_handbook):
    hb = _load(make_handbook())
    entry = hb.stories["first-story"]
    # A field the schema says is never shown stays out of the public view even if set.
    marked = pydantic.create_model("Marked", __base__=Story, detection=(Annotated[Text | None, NEVER], None))
    entry.meta = marked.model_validate({**dict(entry.meta), "detection": "Found by the night guard"})
    _publish(entry)
    assert select(hb, Variant.PUBLIC).stories["first-story"].detection is None
    assert select(hb, Variant.INTERNAL).stories["first-story"].detection == "Found by the night guard"


def test_the_whole_handbook_projects_to_plain_public_data(make_handbook):
    root = make_handbook({"stories": {"2021": {"second.md": story("A second story to tell", extra="related: [first-story]\n")}}})
    hb = _load(root)
    _publish(hb.stories["second"])
    data = projection.public_handbook(hb)
    assert json.loads(json.dumps(data)) == data
    assert set(data["stories"]) == {"second"}
    second = data["stories"]["second"]
    assert second["related"] == []  # first-story is internal
    assert second["lessons"] == ["keep-backups"]
    assert data["authors"] == {"ada": "Ada Lovelace"}  # bob is not public
    assert set(data["lessons"]) == {"keep-backups"} and set(data["pages"]) == {"index.md", "culture.md"}
    assert "clearance" not in second and "status" not in second and "internal" not in second


def test_fields_without_a_marker_are_never_shown():
    plain = pydantic.create_model("Plain", __base__=Story, extra_note=(Text | None, None))
    meta = plain.model_validate({"title": "Title here", "date": "2021-01-01", "summary": "s" * 30, "authors": ["a"],
                                  "lessons": ["b"], "extra_note": "Words nobody should read"})
    parts = projection.split(meta)
    assert "extra_note" not in parts.public
    assert [p.text for p in parts.withheld] == ["Words nobody should read"]


def test_every_field_of_every_model_has_a_marker():
    from handbook_gen.core import schema

    for model in (schema.Story, schema.Lesson, schema.Page, schema.Author, schema.Team, schema.FollowUp, schema.TimelineEntry,
                  schema.Award, schema.Clearance):
        unmarked = [name for name, info in model.model_fields.items() if not any(isinstance(m, Public) for m in info.metadata)]
        assert unmarked == [], model.__name__


def test_pieces_are_frozen():
    assert dataclasses.is_dataclass(projection.Piece)
