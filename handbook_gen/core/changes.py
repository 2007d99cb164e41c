"""What a change does to the public site: two validated handbooks compared, story by story."""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Diagnostic, Severity
from .model import Handbook, Status


@dataclass
class Changes:
    """The public consequences of going from one handbook (the base) to another (the head)."""

    entering: list[str] = field(default_factory=list)  # story ids newly on the public site
    leaving: list[tuple[str, str]] = field(default_factory=list)  # (id, why it left)
    changed: list[str] = field(default_factory=list)  # public before and after, public text changed (cleared again)
    cleared: list[str] = field(default_factory=list)  # clearances given or renewed
    voided: list[str] = field(default_factory=list)  # cleared before, edited since
    new_warnings: list[Diagnostic] = field(default_factory=list)
    new_errors: list[Diagnostic] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.entering or self.leaving or self.changed or self.cleared or self.voided or self.new_warnings or self.new_errors)


def compare(base: Handbook, head: Handbook, base_problems: list[Diagnostic], head_problems: list[Diagnostic]) -> Changes:
    """Compare the publication of every story, and the problems, of two handbooks."""
    out = Changes()
    for sid in sorted(set(base.stories) | set(head.stories)):
        before, after = base.stories.get(sid), head.stories.get(sid)
        was = before is not None and before.publication.public
        now = after is not None and after.publication.public
        if now and not was:
            out.entering.append(sid)
        elif was and not now:
            out.leaving.append((sid, "deleted" if after is None else str(after.publication.status)))
        elif was and now and before is not None and after is not None and before.publication.digest != after.publication.digest:
            out.changed.append(sid)
        if after is not None and after.meta.clearance is not None and after.publication.cleared:
            if before is None or before.meta.clearance != after.meta.clearance:
                out.cleared.append(sid)
        if after is not None and after.publication.status is Status.STALE and (before is None or before.publication.status is not Status.STALE):
            out.voided.append(sid)
    seen = {(d.path, d.code, d.message) for d in base_problems}
    for d in head_problems:
        if (d.path, d.code, d.message) not in seen:
            (out.new_errors if d.severity is Severity.ERROR else out.new_warnings).append(d)
    return out


def as_text(changes: Changes, base_ref: str) -> str:
    """Plain text, one line per fact."""
    if changes.empty:
        return f"no change to the public site compared with {base_ref}"
    lines = [f"compared with {base_ref}:"]
    lines += [f"  enters the public site: {sid}" for sid in changes.entering]
    lines += [f"  leaves the public site: {sid} ({why})" for sid, why in changes.leaving]
    lines += [f"  public text changed: {sid}" for sid in changes.changed]
    lines += [f"  cleared: {sid}" for sid in changes.cleared]
    lines += [f"  clearance voided by an edit: {sid}" for sid in changes.voided]
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
        ("Cleared", [f"`{sid}`" for sid in changes.cleared]),
        ("Clearance voided by an edit", [f"`{sid}`" for sid in changes.voided]),
        ("New errors", [f"`{d.path}:{d.line}` {d.message}" for d in changes.new_errors]),
        ("New warnings", [f"`{d.path}:{d.line}` {d.message}" for d in changes.new_warnings]),
    ]
    for title, items in sections:
        if items:
            lines += [f"**{title}**", "", *[f"- {item}" for item in items], ""]
    return "\n".join(lines).rstrip() + "\n"
