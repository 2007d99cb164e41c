"""The RSS 2.0 feed of the newest stories."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from ..core.variants import StoryView


def feed(stories: Sequence[StoryView], site_url: str, urls: Mapping[str, str], title: str, limit: int = 20) -> str:
    """Render a feed of the newest stories, newest first (dates in RFC 822, whatever the locale)."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = base
    ET.SubElement(channel, "description").text = f"New stories in {title}"
    for s in stories[:limit]:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = s.title
        ET.SubElement(item, "link").text = base + urls.get(s.id, "")
        ET.SubElement(item, "guid", isPermaLink="false").text = s.id
        when = dt.datetime.combine(s.date, dt.time(12), tzinfo=dt.UTC)
        ET.SubElement(item, "pubDate").text = email.utils.format_datetime(when)
        # RSS readers show a description as HTML: the summary is text, so it is escaped as such.
        ET.SubElement(item, "description").text = html.escape(s.summary, quote=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"
