"""What a change does to the public site: the public projections of two handbooks compared.

Stories, lessons, pages and authors' public names are compared as the public site shows them
(core/projection.py), so whatever enters, leaves or changes there is reported, whichever
field or file made it so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clearance import suggested_clearer
from .continuity import formers
from .diagnostics import Diagnostic, Severity
from .model import Handbook, Status, StoryEntry
from .projection import public_handbook

# The kinds of public entries besides stories, as public_handbook names them, and as reports say them.
_OTHERS = (("lessons", "lesson"), ("pages", "page"))


@dataclass
class Changes:
    """The public consequences of going from one handbook (the base) to another (the head)."""

    entering: list[str] = field(default_factory=list)  # story ids newly on the public site
    leaving: list[tuple[str, str]] = field(default_factory=list)  # (id, why it left)
    changed: list[str] = field(default_factory=list)  # public before and after, public text changed (cleared again)
    cleared: list[tuple[str, str]] = field(default_factory=list)  # (id, who cleared it): clearances given or renewed
    others: list[tuple[str, str, str]] = field(default_factory=list)  # (lesson or page, key, "enters", "leaves" or "changes")
    names: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (author id, public name before, after)
    voided: list[str] = field(default_factory=list)  # cleared before, edited since
    # (id, what happened, what to do): public at the base, and its address no longer answers
    # at the head though nobody withdrew it (`withdrawn:` or `visibility: internal`).
    silent: list[tuple[str, str, str]] = field(default_factory=list)
    new_warnings: list[Diagnostic] = field(default_factory=list)
    new_errors: list[Diagnostic] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.entering or self.leaving or self.changed or self.cleared or self.voided or self.others or self.names
                    or self.silent or self.new_warnings or self.new_errors)


def compare(base: Handbook, head: Handbook, base_problems: list[Diagnostic], head_problems: list[Diagnostic]) -> Changes:
    """Compare the publication of every story, and the problems, of two handbooks."""
    out = Changes()
    before_site, after_site = public_handbook(base), public_handbook(head)
    for sid in sorted(set(base.stories) | set(head.stories)):
        before, after = base.stories.get(sid), head.stories.get(sid)
        was = before is not None and before.publication.public
        now = after is not None and after.publication.public
        if now and not was:
            out.entering.append(sid)
        elif was and not now:
            out.leaving.append((sid, "deleted" if after is None else str(after.publication.status)))
        elif was and now and before_site["stories"][sid] != after_site["stories"][sid]:
            out.changed.append(sid)
        if after is not None and after.meta.clearance is not None and after.publication.cleared:
            if before is None or before.meta.clearance != after.meta.clearance:
                out.cleared.append((sid, _who(head, after.meta.clearance.by)))
        if after is not None and after.publication.status is Status.STALE and (before is None or before.publication.status is not Status.STALE):
            out.voided.append(sid)
    out.silent = _silent(base, head)
    for plural, noun in _OTHERS:
        old, new = before_site[plural], after_site[plural]
        for key in sorted(set(old) | set(new)):
            move = "enters" if key not in old else "leaves" if key not in new else "changes" if old[key] != new[key] else None
            if move:
                out.others.append((noun, key, move))
    old_names, new_names = before_site["authors"], after_site["authors"]
    for aid in sorted(set(old_names) | set(new_names)):
        if old_names.get(aid) != new_names.get(aid):
            out.names.append((aid, old_names.get(aid), new_names.get(aid)))
    seen = {(d.path, d.code, d.message) for d in base_problems}
    for d in head_problems:
        if (d.path, d.code, d.message) not in seen:
            (out.new_errors if d.severity is Severity.ERROR else out.new_warnings).append(d)
    return out


def _silent(base: Handbook, head: Handbook) -> list[tuple[str, str, str]]:
    """Every story public at the base whose address the head's public site no longer answers,
    though nobody withdrew it: (id, what happened, what to do)."""
    public = {sid for sid, s in head.stories.items() if s.publication.public}
    answering = {head.stories[sid].src for sid in public} | {f.src for f in formers(head, public, True)}
    out = []
    for sid, was in sorted(base.stories.items()):
        if not was.publication.public or was.src in answering:
            continue
        now = head.stories.get(sid)
        if now is not None and (now.meta.withdrawn is not None or now.meta.visibility == "internal"):
            continue  # taken off on purpose
        out.append((sid, *_fix(base, head, was, now)))
    return out


def _fix(base: Handbook, head: Handbook, was: StoryEntry, now: StoryEntry | None) -> tuple[str, str]:
    """What happened to a story that left the public site silently, and what brings its address back."""
    withdraw = "or, to take it off on purpose, add 'withdrawn: REASON'"
    if now is None:
        # Renamed: a story new at the head has the public content it had (the digest leaves the file's name out).
        same = [s for sid, s in sorted(head.stories.items()) if sid not in base.stories and s.publication.digest == was.publication.digest]
        if same:
            new = same[0]
            fix = f"add 'formerly: [{was.src}]' to {new.path} so its old address leads there"
            if not new.publication.public:
                fix += f", and clear it: handbook clear {new.id} --by {suggested_clearer(head, new)}"
            return f"renamed to '{new.id}'", fix
        return "deleted", f"keep {was.path} with 'withdrawn: REASON' instead of deleting it, so its address says it is no longer available"
    if now.publication.public:
        return f"moved to {now.src}", f"add 'formerly: [{was.src}]' to {now.path} so its old address leads there"
    if now.publication.status is Status.DRAFT:
        return "made a draft", f"set 'status: published' again, {withdraw}"
    why = "edited since its clearance" if now.publication.status is Status.STALE else str(now.publication.status)
    return why, f"clear it again: handbook clear {now.id} --by {suggested_clearer(head, now)}, {withdraw}"


def as_text(changes: Changes, base_ref: str) -> str:
    """Plain text, one line per fact."""
    if changes.empty:
        return f"no change to the public site compared with {base_ref}"
    lines = [f"compared with {base_ref}:"]
    lines += [f"  enters the public site: {sid}" for sid in changes.entering]
    lines += [f"  leaves the public site: {sid} ({why})" for sid, why in changes.leaving]
    lines += [f"  public text changed: {sid}" for sid in changes.changed]
    lines += [f"  {noun} {_MOVES[move]}: {key}" for noun, key, move in changes.others]
    lines += [f"  {_name_change(aid, old, new)}" for aid, old, new in changes.names]
    lines += [f"  cleared: {sid} (by {who})" for sid, who in changes.cleared]
    lines += [f"  clearance voided by an edit: {sid}" for sid in changes.voided]
    lines += [f"  error: {sid} leaves the public site without being withdrawn ({what}): {fix}" for sid, what, fix in changes.silent]
    lines += [f"  new error: {d.text()}" for d in changes.new_errors]
    lines += [f"  new warning: {d.text()}" for d in changes.new_warnings]
    return "\n".join(lines)


def as_markdown(changes: Changes, base_ref: str) -> str:
    """Markdown for a pull-request comment: a publication report."""
    lines = [f"### Publication report (compared with `{base_ref}`)", ""]
    if changes.empty:
        return "\n".join([*lines, "No change to the public site."])
    sections: list[tuple[str, list[str]]] = [
        ("Enters the public site", [f"`{sid}`" for sid in changes.entering]),
        ("Leaves the public site", [f"`{sid}` ({why})" for sid, why in changes.leaving]),
        ("Public text changed", [f"`{sid}`" for sid in changes.changed]),
        *((f"{noun.capitalize()}s", [f"`{key}` {_MOVES[move]}" for n, key, move in changes.others if n == noun]) for _, noun in _OTHERS),
        ("Authors' public names", [_name_change(f"`{aid}`", old, new) for aid, old, new in changes.names]),
        ("Cleared", [f"`{sid}` (by {who})" for sid, who in changes.cleared]),
        ("Clearance voided by an edit", [f"`{sid}`" for sid in changes.voided]),
        ("Leaves the public site without being withdrawn", [f"`{sid}` ({what}): {_code_spans(fix)}" for sid, what, fix in changes.silent]),
        ("New errors", [f"`{d.path}:{d.line}` {d.message}" for d in changes.new_errors]),
        ("New warnings", [f"`{d.path}:{d.line}` {d.message}" for d in changes.new_warnings]),
    ]
    for title, items in sections:
        if items:
            lines += [f"**{title}**", "", *[f"- {item}" for item in items], ""]
    return "\n".join(lines).rstrip() + "\n"


_MOVES = {"enters": "enters the public site", "leaves": "leaves the public site", "changes": "changes on the public site"}


def _name_change(author: str, old: str | None, new: str | None) -> str:
    if old is None:
        return f"author {author} is named on the public site: {new}"
    if new is None:
        return f"author {author} is no longer named on the public site (was {old})"
    return f"author {author}'s public name changes: {old} -> {new}"


def _who(hb: Handbook, author_id: str) -> str:
    """An author as a report names them: by name and id when the registry knows them."""
    author = hb.authors.get(author_id)
    return f"{author.name} ({author_id})" if author is not None else author_id


def _code_spans(text: str) -> str:
    """Quoted fields and the clear command as code in Markdown."""
    text = re.sub(r"'([^']+)'", r"`\1`", text)
    return re.sub(r"(handbook clear [\w-]+ --by [\w-]+)", r"`\1`", text)
