"""`check` reports links and images that point at no file of the handbook, with file and line."""

from __future__ import annotations

import datetime as dt

from conftest import story

from handbook_gen.core.validation import check

BODY = """## What happened

See [the backup lesson](../lessons/keep-backups.md), [its URL](../lessons/keep-backups/),
[the years](../years/index.md), [home](../index.md), [culture](../culture/) and [a site](https://example.com/x.md).

![The chart](chart.png) and ![a missing chart](chrt.png).

Read [the runbook](../runbooks/restore.md) and <img src="missing.svg" alt="x">.

`[code](nowhere.md)` is code, and so is:

```
![img](nowhere.png)
```
"""


def test_broken_links_and_images_are_errors_with_a_suggestion(make_handbook):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(body=BODY), "chart.png": b"\\x89PNG"}}})
    _, problems = check(root / "stories", root, today=dt.date(2026, 11, 28))
    assert [(d.path, d.line, d.code, d.message) for d in problems] == [
        ("stories/2021/first-story.md", 14, "HB208", "image to 'chrt.png', which is no file of the handbook - did you mean 'chart.png'?"),
        ("stories/2021/first-story.md", 16, "HB208", "image to 'missing.svg', which is no file of the handbook"),
        ("stories/2021/first-story.md", 16, "HB208", "link to '../runbooks/restore.md', which is no file of the handbook"),
    ]


def test_a_link_or_image_outside_the_content_folder_is_an_error(make_handbook):
    body = "## What happened\n\n![The diagram](../../assets/diagram.png)\n\nSee [the notes](../../notes.md) and [our story](../../2021/first-story/).\n"
    root = make_handbook({"assets": {"diagram.png": b"\x89PNG"}, "notes.md": "Notes beside mkdocs.yml.\n",
                          "stories": {"2021": {"first-story.md": story(body=body)}}})
    _, problems = check(root / "stories", root, today=dt.date(2026, 11, 28))
    # The files exist, beside the content folder: the site would not have them.
    assert [(d.path, d.line, d.code, d.message) for d in problems] == [
        ("stories/2021/first-story.md", 11, "HB208", "image to '../../assets/diagram.png', which is outside the content folder: the site never has it (move the file into it)"),
        ("stories/2021/first-story.md", 13, "HB208", "link to '../../notes.md', which is outside the content folder: the site never has it (move the file into it)"),
    ]


def test_check_reads_each_target_as_the_unlinker_does(make_handbook):
    # One reading of a target for both: percent-escapes undone (as MkDocs does), every srcset
    # candidate a link, a folder's README.md its page.
    body = (
        "## What happened\n\nSee [the café](caf%C3%A9.png) and [the folder](folder/).\n\n"
        '<img src="chart.png" srcset="chart.png 1x, chart-2x.png 2x" alt="x">\n'
    )
    root = make_handbook({"stories": {"2021": {
        "first-story.md": story(body=body), "café.png": b"\x89PNG", "chart.png": b"\x89PNG",
        "folder": {"README.md": "---\ntitle: Folder\n---\n\nA page.\n"},
    }}})
    _, problems = check(root / "stories", root, today=dt.date(2026, 11, 28))
    assert [(d.line, d.code, d.message) for d in problems if d.code == "HB208"] == [
        (13, "HB208", "image to 'chart-2x.png', which is no file of the handbook - did you mean 'chart.png'?"),
    ]
