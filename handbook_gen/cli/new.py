"""`handbook new`: scaffold a valid story."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
import yaml
from pydantic import TypeAdapter, ValidationError

from ..core.diagnostics import Severity, render
from ..core.lint import PLACEHOLDERS
from ..core.loading import Handbook
from ..core.schema import KINDS, MAX_TITLE, SEVERITIES, Summary
from .failure import Failed
from .project import find

# Letters that do not decompose into an ASCII letter and a mark; apostrophes join the word they are in.
_SPELLED = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i",
                          "'": "", "\u2019": "", "\u02bc": ""})


def _slug(title: str) -> str:
    """Make an id from a title, spelling accented Latin letters in ASCII (`Ärger mit Löwen` -> `arger-mit-lowen`,
    `someone else's` -> `someone-elses`)."""
    ascii_text = unicodedata.normalize("NFKD", title.lower().translate(_SPELLED)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:60].rstrip("-")


def _known(kind: str, values: tuple[str, ...] | list[str], known: list[str]) -> None:
    for value in values:
        if value not in known:
            hint = difflib.get_close_matches(value, known, n=1)
            raise Failed(
                f"unknown {kind} '{value}'" + (f" - did you mean '{hint[0]}'?" if hint else f" (known: {', '.join(known) or 'none'})")
            )


def _refuse_links_out(hb: Handbook, docs_dir: Path, target: Path) -> None:
    """Stop when writing target would follow a symbolic link out of the content folder."""
    real_docs = os.path.realpath(docs_dir)
    real = os.path.realpath(target)
    if real == real_docs or real.startswith(real_docs.rstrip(os.sep) + os.sep):
        return
    # Name the link: the first part of the path, below the content folder, that is one.
    link = next((p for p in (target.parent, target) if p.is_symlink()), target.parent)
    where = os.path.realpath(link)
    raise Failed(
        f"{hb.rel(link.relative_to(docs_dir).as_posix())} is a symbolic link to '{where}', outside the content folder "
        f"{hb.rel('')}: the story would be in neither site - no story was written"
    )


T = TypeVar("T")


def _value(given: str | None, parse: Callable[[str], T], label: str, interactive: bool, needed: str, default: str | None = None) -> T:
    """A flag's value, else the default out of a terminal, else an answer; asked (again) in a terminal until it is valid."""
    if given is not None:
        try:
            return parse(given)
        except Failed as exc:
            if not interactive:
                raise
            click.echo(f"Error: {exc.message}", err=True)
    elif not interactive:
        if default is None:
            raise Failed(needed)
        return parse(default)

    def proc(text: str) -> T:
        try:
            return parse(text)
        except Failed as exc:  # click says it and asks again
            raise click.BadParameter(exc.message) from None

    return click.prompt(label, default=default, value_proc=proc, show_default=bool(default))


def _title(text: str) -> str:
    if not 3 <= len(text.strip()) <= MAX_TITLE:
        raise Failed(f"TITLE must be 3-{MAX_TITLE} characters")
    return text.strip()


def _date(text: str, today: dt.date | None) -> dt.date:
    try:
        date = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Failed(f"--date must be YYYY-MM-DD, found '{text}'") from None
    if today is not None and date > today:
        raise Failed(f"--date {date.isoformat()} is in the future (today is {today.isoformat()})")
    return date


def _summary(text: str) -> str:
    if not text.strip():
        return PLACEHOLDERS["summary"]  # a warning (HB402) until it is written
    try:
        return str(_SUMMARY.validate_python(text))
    except ValidationError as exc:
        raise Failed(f"the summary: {exc.errors(include_url=False)[0]['msg']}") from None


_SUMMARY: TypeAdapter[str] = TypeAdapter(Summary)


@click.command("new")
@click.argument("title", required=False)
@click.option("--author", "authors", multiple=True, help="Author id (repeatable).")
@click.option("--lesson", "lessons", multiple=True, help="Lesson id (repeatable).")
@click.option("--date", "when", help="YYYY-MM-DD, default today.")
@click.option("--kind", type=click.Choice(KINDS), default="incident", show_default=True)
@click.option("--severity", type=click.Choice(SEVERITIES))
@click.option("--team", "teams", multiple=True)
@click.option("--tag", "tags", multiple=True)
@click.option("--visibility", type=click.Choice(["internal", "public"]), default="internal", show_default=True)
@click.option("--id", "story_id_option", help="The story id (file name), instead of one made from the title.")
@click.pass_obj
def command(config_file: str, title: str | None, authors: tuple[str, ...], lessons: tuple[str, ...], when: str | None,
            kind: str, severity: str | None, teams: tuple[str, ...], tags: tuple[str, ...], visibility: str,
            story_id_option: str | None) -> None:
    """Scaffold a story at stories/YEAR/ID.md; never overwrites."""
    project = find(config_file)
    hb, _ = project.check()
    interactive = sys.stdin.isatty()
    known_authors, known_lessons = sorted(hb.authors), sorted(hb.lessons)
    today = dt.date.today()

    def ids(kind: str, known: list[str]) -> Callable[[str], tuple[str, ...]]:
        def parse(text: str) -> tuple[str, ...]:
            values = tuple(text.replace(",", " ").split())
            if not values:
                raise Failed(f"at least one {kind} id is needed")
            _known(kind, values, known)
            return values

        return parse

    # Every required field, in the story's order: a flag's value, else asked in a terminal, else
    # an error naming the flag. A value that is wrong is asked again in a terminal, the others kept.
    title = _value(title, _title, "Title", interactive, 'a TITLE is needed: handbook new "What happened"')
    # Out of a terminal a date in the future is left to the check that follows the writing, as every other error.
    date = _value(when, lambda text: _date(text, today if interactive else None), "Date", interactive, "", default=today.isoformat())
    summary = _value(None, _summary, "Summary, one or two sentences (empty: write it later)", interactive, "", default="") \
        if interactive else PLACEHOLDERS["summary"]
    if not authors and len(known_authors) == 1:
        authors = (known_authors[0],)
    authors = _value(" ".join(authors) or None, ids("author", known_authors), f"Author id ({', '.join(known_authors)})", interactive,
                     f"--author is needed (one of: {', '.join(known_authors) or 'add authors to authors.yml'})")
    lessons = _value(" ".join(lessons) or None, ids("lesson", known_lessons), f"Lesson ids, space-separated ({', '.join(known_lessons)})",
                     interactive and bool(known_lessons), f"--lesson is needed (one of: {', '.join(known_lessons) or 'add lessons/<id>.md'})")
    if hb.tags is not None:
        _known("tag", tags, sorted(hb.tags))

    story_id = story_id_option or _slug(title)
    if not story_id:
        raise Failed(f"no id can be made from the title '{title}' (no Latin letters or digits): pass --id, such as --id the-day-the-cache-forgot")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", story_id):
        raise Failed(f"--id '{story_id}' must be lowercase words joined by hyphens, such as '{_slug(story_id) or 'my-story'}'")
    if story_id in hb.stories:
        raise Failed(f"a story '{story_id}' exists already: {hb.stories[story_id].path}")
    target = project.docs_dir / str(date.year) / f"{story_id}.md"
    if os.path.lexists(target):  # a link to nothing counts: writing would follow it
        raise Failed(f"{target} exists already: handbook new never overwrites")
    _refuse_links_out(hb, project.docs_dir, target)

    data: dict[str, object] = {
        "title": title.strip(),
        "date": date,
        "summary": summary,
        "authors": list(authors),
        "lessons": list(lessons),
        "visibility": visibility,
        "kind": kind,
    }
    if severity:
        data["severity"] = severity
    if teams:
        data["teams"] = list(teams)
    if tags:
        data["tags"] = list(tags)
    data["five_whys"] = [PLACEHOLDERS["why_1"], PLACEHOLDERS["why_2"]]
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
    body = (
        f"## What happened\n\n{PLACEHOLDERS['what_happened']}\n\n"
        f"## What we changed\n\n{PLACEHOLDERS['what_changed']}\n\n"
        f"<!-- internal -->\n{PLACEHOLDERS['internal']}\n<!-- /internal -->\n"
    )
    new_dir = not os.path.lexists(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Failed(f"cannot make the folder {target.parent}: {exc.strerror}") from None
    try:
        with open(target, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(f"---\n{front}---\n\n{body}")
    except FileExistsError:
        raise Failed(f"{target} exists already: handbook new never overwrites") from None
    except OSError as exc:
        raise Failed(f"cannot write {target}: {exc.strerror}") from None
    _, problems = project.check()
    mine = [d for d in problems if d.path == hb.rel(target.relative_to(project.docs_dir).as_posix()) and d.severity is Severity.ERROR]
    if mine:
        # Leave no invalid story behind (e.g. a --date in the future): the handbook stays as it was.
        target.unlink()
        if new_dir:
            target.parent.rmdir()
        click.echo(render(mine), err=True)
        click.echo("no story was written", err=True)
        raise Failed()
    click.echo(hb.rel(target.relative_to(project.docs_dir).as_posix()))
