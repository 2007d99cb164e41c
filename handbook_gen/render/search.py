"""What search engines read of a rendered page: which pages are indexed, and a story's facets.

Framework-free: the plugin (handbook_gen/plugin/search.py) calls it on each page.

- Generated listing pages (years, teams, tags, kinds, severities, awards, statistics, the
  lessons index) only repeat what the story pages say: they stay out of every index.
- With Pagefind, an indexed page's content is wrapped in `data-pagefind-body` (Pagefind then
  indexes only such pages); a story also carries its facets as `data-pagefind-filter` and its
  title and summary as `data-pagefind-meta`, in a hidden, `data-pagefind-ignore`d block (its
  text is read for the filters and meta, never indexed as words).
- Content may not set Pagefind's attributes itself (`disarm`): its UI shows some values as HTML.
- A story page starts with its summary (the template puts it before the metadata card), so
  its result in Material's search starts with it too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

from ..core import layout
from ..core.listings import label
from ..core.variants import LessonView, StoryView

FILTERS = ("team", "kind", "severity", "year", "lesson")
"""The facets of a story, as Pagefind filter names (the search UI shows them capitalised)."""

# Pagefind's default UI shows filter values as HTML, and Pagefind undoes character references
# in what it reads (escaping twice does not survive): a value keeps no `<`, `>` or `&`, so it
# can only ever be text. Lookalikes take their place (a lesson "Fish & chips": "Fish ＆ chips").
_INERT = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})
# Pagefind reads its attributes wherever they are: a body (written by anyone, by pull request)
# must not set a page's facets, meta or body, which Pagefind's UI may show as HTML.
_OWN = re.compile(r"data-pagefind-", re.IGNORECASE)
# The templates' wrapper of what only leads to other pages (story.md.j2, lesson.md.j2).
_SEE_ALSO = re.compile(r'<div class="hb-see-also"')


def is_listing(src: str) -> bool:
    """Tell whether a page source is a generated listing, kept out of search results."""
    return src in layout.GENERATED_PAGES or ("/" in src and src.split("/", 1)[0] in layout.GENERATED_DIRS)


def story_filters(story: StoryView, lessons: Mapping[str, LessonView]) -> list[tuple[str, str]]:
    """A story's facet values, one (filter, value) pair per value."""
    pairs = [("team", t) for t in story.teams]
    pairs.append(("kind", label(story.kind)))
    if story.severity:
        pairs.append(("severity", label(story.severity)))
    pairs.append(("year", str(story.date.year)))
    pairs += [("lesson", lessons[l].title) for l in story.lessons if l in lessons]
    return pairs


def fields(*, title: str, summary: str | None = None, filters: Iterable[tuple[str, str]] = ()) -> str:
    """A page's title, summary and facets for Pagefind: a hidden block it reads but does not index.

    Values are text: escaped here; a filter value also loses what HTML would read (_INERT)."""
    spans = [f'<span data-pagefind-meta="title">{_text(title)}</span>']
    if summary:
        spans.append(f'<span data-pagefind-meta="summary">{_text(summary)}</span>')
    spans += [f'<span data-pagefind-filter="{name}">{_text(value.translate(_INERT))}</span>' for name, value in filters]
    return '<div hidden data-pagefind-ignore="index" data-search-exclude>' + "".join(spans) + "</div>"


def wrap(content: str, hidden: str) -> str:
    """A page's content HTML as Pagefind's body, with its hidden fields."""
    return f"<div data-pagefind-body>\n{content}\n{hidden}\n</div>"


def unindexed(content: str) -> str:
    """Content HTML whose "see also" parts (a story's related stories, a lesson's stories) Pagefind
    skips: other pages' titles and summaries, indexed on those pages. A query then finds the page
    that says it rather than every page that links it, and the index of common words stays small."""
    return _SEE_ALSO.sub(r'\g<0> data-pagefind-ignore="all"', content)


def disarm(content: str) -> str:
    """Content HTML with no Pagefind attribute of its own: `data&#45;pagefind-` names no
    attribute, and reads as `data-pagefind-` in text and attribute values."""
    return _OWN.sub(lambda m: m.group(0).replace("-", "&#45;", 1), content)


def _text(value: str) -> str:
    return html.escape(" ".join(value.split()), quote=False)
