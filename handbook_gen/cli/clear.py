"""`handbook clear`: record that stories' public content was cleared for publication."""

from __future__ import annotations

import datetime as dt
import difflib

import click

from ..core.clearance import ClearanceError, clearers, refusal, with_clearance, write_atomically
from ..core.diagnostics import Severity
from ..core.model import Status
from .failure import Failed
from .project import find


@click.command("clear")
@click.argument("story_ids", nargs=-1)
@click.option("--by", "by", required=True, help="Author id of the person clearing.")
@click.option("--all-public", is_flag=True, help="Clear every public story not cleared yet.")
@click.pass_obj
def command(config_file: str, story_ids: tuple[str, ...], by: str, all_public: bool) -> None:
    """Write the clearance block of valid public stories (drafts included)."""
    project = find(config_file)
    hb, problems = project.check()
    if not story_ids and not all_public:
        raise click.UsageError("name the stories to clear, or pass --all-public")
    if by not in hb.authors:
        raise Failed(f"--by: unknown author '{by}' (authors.yml lists: {', '.join(sorted(hb.authors)) or 'nobody'})")
    invalid = {d.path for d in problems if d.severity is Severity.ERROR}
    named = clearers(hb)
    if named and by not in named:
        # One line, whatever the stories: this person may clear none of them.
        click.echo(f"error: {by} may not clear stories: authors.yml names who may ({', '.join(named)}) - nothing was cleared", err=True)
        raise Failed()
    ids = list(dict.fromkeys(story_ids))
    refused = []
    if all_public:
        if invalid:
            refused += [f"{path}: has errors (run handbook check)" for path in sorted(invalid)]
        for sid, s in sorted(hb.stories.items()):
            if s.meta.visibility != "public" or s.meta.withdrawn is not None or sid in ids:
                continue
            if by in s.meta.authors:
                if not s.publication.cleared:  # left for someone else: said, not refused
                    click.echo(f"skipped {sid}: {by} is an author of it: someone else must clear it", err=True)
                continue
            ids.append(sid)
    for sid in ids:
        story = hb.stories.get(sid)
        if story is None:
            broken = any(p.endswith(f"/{sid}.md") for p in invalid)
            hint = difflib.get_close_matches(sid, list(hb.stories), n=1)
            unknown = "unknown story" + (f" - did you mean '{hint[0]}'?" if hint else "")
            refused.append(f"{sid}: {'invalid story (run handbook check)' if broken else unknown}")
        elif story.publication.status is Status.WITHDRAWN:
            refused.append(f"{sid}: withdrawn ({story.meta.withdrawn}): remove 'withdrawn:' to publish it again")
        elif story.publication.status is Status.INTERNAL:
            refused.append(f"{sid}: internal story: set 'visibility: public' before clearing it")
        elif story.path in invalid:
            refused.append(f"{sid}: invalid story (run handbook check)")
        elif (why := refusal(hb, story, by)) is not None:
            refused.append(f"{sid}: {why}")
    if refused:
        for line in refused:
            click.echo(f"error: {line}", err=True)
        click.echo("nothing was cleared", err=True)
        raise Failed()
    today = dt.date.today()
    # Every file's new text is made and checked before any is written: one that cannot be
    # cleared safely stops them all, and nothing is written.
    writes = []
    for sid in ids:
        story = hb.stories[sid]
        if all_public and not story_ids and story.publication.cleared:
            continue
        try:
            writes.append((sid, story, with_clearance(hb.sources[story.src], by, today, story.publication.digest)))
        except ClearanceError as exc:
            click.echo(f"error: {story.path}: cannot write its clearance block safely: {exc} - nothing was cleared", err=True)
            raise Failed() from None
    for sid, story, text in writes:
        try:
            write_atomically(hb.docs_dir / story.src, text)
        except OSError as exc:
            click.echo(f"error: {story.path}: cannot write it: {exc.strerror or exc}", err=True)
            raise Failed() from None
        click.echo(f"cleared {sid} ({story.path})")
