"""The "Tell a story" form (propose/, internal only) and the "Edit this story" link.

Build tests read the built pages; browser tests fill the form in Chromium on a laptop and a
phone, take the file it makes (from the repository host's new-file address, or the download)
and give it to `handbook check`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browsing import PALETTES, needs_chromium, serious_violations, served, use_palette
from conftest import MKDOCS_YML, build_site, lesson, story, write_tree
from htmldoc import attrs, parse, text
from variant_support import clear

from handbook_gen.cli.new import _slug
from handbook_gen.core import active_content
from handbook_gen.core.lint import PLACEHOLDERS
from handbook_gen.core.schema import MAX_SUMMARY, MAX_TITLE

GITHUB = "repo_url: https://github.com/acme/handbook\nedit_uri: edit/main/stories/\n"
GITLAB = "repo_url: https://gitlab.example.com/acme/handbook\nedit_uri: -/edit/trunk/stories/\n"
TEAMS = "platform:\n  name: Platform\ndata:\n  name: Data people\n"
# Both of Material's palettes, each with its toggle in the header (for axe in both).
PALETTE = ("  palette:\n    - scheme: default\n      toggle: { icon: material/brightness-7, name: Dark mode }\n"
           "    - scheme: slate\n      toggle: { icon: material/brightness-4, name: Light mode }\n")
LABELS = ["Title", "Date", "Summary", "Authors", "Lessons", "Teams", "Kind", "Severity", "What happened", "Why it happened",
          "What we changed", "Why 1", "Why 2", "Why 3", "Why 4", "Why 5"]


def handbook(root: Path, repo: str = "") -> Path:
    """A small handbook: two authors, two lessons, two teams, one story; repo: repo_url/edit_uri lines."""
    write_tree(root, {
        "mkdocs.yml": MKDOCS_YML.replace("docs_dir: placeholder\n", "docs_dir: placeholder\n" + repo)
                                .replace("  features: [navigation.prune]\n", "  features: [navigation.prune]\n" + PALETTE),
        "stories": {
            "index.md": "---\ntitle: Home\n---\n\n# Home\n\nWelcome.\n",
            "authors.yml": "ada:\n  name: Ada Lovelace\n  team: platform\n  public: true\nbob:\n  name: Bob Hidden\n  team: data\n  can_clear: true\n",
            "teams.yml": TEAMS,
            "lessons": {"keep-backups.md": lesson(), "say-it-early.md": lesson("Say it early", "A problem told early is a problem half solved.")},
            "2021": {"first-story.md": story(lessons="[keep-backups, say-it-early]", extra="visibility: public\n")},
        },
    })
    clear(root, "first-story")  # public, so the public site has a story page
    return root


def page(site: Path, address: str) -> str:
    return (site / address / "index.html").read_text(encoding="utf-8")


def labels(html: str) -> dict[str, str]:
    """Each form control's id -> the text of its label (a fieldset's: its legend)."""
    root = parse(html)
    out = {attrs(node)["for"]: text(node).strip() for node in root.query("#hb-propose label")}
    out.update({attrs(node)["id"]: text(node.query("legend")[0]).strip() for node in root.query("#hb-propose fieldset")})
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = handbook(tmp_path_factory.mktemp("propose"), GITHUB)
    return {variant: build_site(root, variant) for variant in ("internal", "public")}


# --- the page -------------------------------------------------------------------------------


def test_the_internal_site_has_the_form_with_every_label_and_the_handbooks_lists(sites):
    html = page(sites["internal"], "propose")
    shown = labels(html)
    names = [name.removesuffix(" (required)") for name in shown.values()]
    for label in LABELS:
        assert label in names, label
    # Every control has a label: inputs by their id, checkboxes each their own.
    for node in parse(html).query("#hb-propose input, #hb-propose textarea, #hb-propose select"):
        assert attrs(node)["id"] in shown, attrs(node)
    # The handbook's own lists, by name and id, from authors.yml, lessons/ and teams.yml.
    for value, name in (("ada", "Ada Lovelace"), ("bob", "Bob Hidden")):
        assert shown[f"hb-authors-{value}"] == name
    assert shown["hb-lessons-say-it-early"] == "Say it early" and shown["hb-lessons-keep-backups"] == "Keep backups"
    assert shown["hb-teams-data"] == "Data people" and shown["hb-teams-platform"] == "Platform"


def test_the_form_says_the_schemas_bounds_once(sites):
    form = {attrs(n).get("id", ""): attrs(n) for n in parse(page(sites["internal"], "propose")).query("*")}
    assert form["hb-title"]["maxlength"] == str(MAX_TITLE) and form["hb-title"]["minlength"] == "3" and "required" in form["hb-title"]
    assert form["hb-summary"]["maxlength"] == str(MAX_SUMMARY) and form["hb-summary"]["minlength"] == "20"
    assert (form["hb-authors"]["data-min"], form["hb-authors"]["data-max"]) == ("1", "20")
    assert "data-min" not in form["hb-teams"]
    assert form["hb-happened"]["data-placeholder"] == PLACEHOLDERS["what_happened"]
    assert form["hb-propose"]["data-taken"] == "first-story" and form["hb-propose"]["data-folder"] == "stories"
    # Problems are said beside each field: its describedby names the note.
    assert "hb-title-error" in form["hb-title"]["aria-describedby"].split()
    assert "hb-lessons-error" in form["hb-lessons"]["aria-describedby"].split()


def test_the_home_page_and_every_listing_link_the_form_internally_only(sites):
    for address in ("", "years", "kinds"):
        internal = page(sites["internal"], address)
        links = [attrs(a).get("href", "") for a in parse(internal).query("article a")]
        assert any(href.rstrip("/").endswith("propose") for href in links), address
    public = sites["public"]
    assert not (public / "propose").exists()
    for html_file in public.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        assert "propose/" not in html and "Tell a story" not in html and "propose.js" not in html, html_file
    # The script is loaded by the form's page alone.
    internal = sites["internal"]
    loading = sorted(str(p.relative_to(internal)) for p in internal.rglob("*.html") if "propose.js" in p.read_text(encoding="utf-8"))
    assert loading == ["propose/index.html"]


def test_a_content_page_cannot_take_the_forms_place(tmp_path, cli):
    root = handbook(tmp_path / "hb")
    (root / "stories" / "propose.md").write_text("---\ntitle: Mine\n---\n\n# Mine\n", encoding="utf-8")
    result = cli(root, "check")
    assert result.exit_code == 1 and "HB205" in result.stdout and "propose.md" in result.stdout


def test_story_pages_link_their_file_on_the_internal_site_only(sites):
    internal = parse(page(sites["internal"], "2021/first-story"))
    edit = [attrs(a) for a in internal.query("a[rel=edit]") if text(a).strip() == "Edit this story"]
    assert [a["href"] for a in edit] == ["https://github.com/acme/handbook/edit/main/stories/2021/first-story.md"]
    # Generated pages have no file to edit.
    assert "Edit this story" not in page(sites["internal"], "years")
    public = page(sites["public"], "2021/first-story")
    assert "Edit this story" not in public and "github.com/acme/handbook/edit" not in public and 'rel="edit"' not in public


def test_the_allowlist_takes_the_forms_fields_but_nothing_that_sends_or_names(tmp_path):
    found = active_content.in_html
    assert found('<form id="f" novalidate><label for="a">A</label><input type="text" id="a" required maxlength="3"></form>') == []
    for bad in ('<form action="https://evil.example/">', '<input type="password" id="p">', '<input name="x">',
                '<button formaction="https://evil.example/">', '<input type="image" src="x.png">', '<form method="post">'):
        assert found(bad), bad


# --- in the browser ---------------------------------------------------------------------------

# The screens of the issue: a laptop, and a phone.
SCREENS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True},
}
TITLE = "Ärger mit Löwen: someone else's cache"
ANSWERS = {
    "hb-title": TITLE,
    "hb-date": "2024-05-02",
    "hb-summary": "A cache flush at peak traffic sent every request to the database at once.",
    "hb-happened": "The cache was flushed during the busiest hour.\n\nEvery page then asked the database.",
    "hb-changed": "Expiry is staggered now.",
    "hb-why-2": "Every key expired at the same moment.",
}


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory):
    """The internal site of the same handbook three times: on GitHub, on GitLab, and with no repository set."""
    base = tmp_path_factory.mktemp("forms")
    roots = {name: handbook(base / name, repo) for name, repo in (("github", GITHUB), ("gitlab", GITLAB), ("none", ""))}
    sites = {name: build_site(root, "internal") for name, root in roots.items()}
    with served(sites) as urls:
        yield roots, urls


def fill(tab: Any, answers: dict[str, str] = ANSWERS) -> None:
    for field, value in answers.items():
        tab.locator(f"#{field}").fill(value)
    tab.locator("#hb-authors-ada").check()
    tab.locator("#hb-lessons-keep-backups").check()
    tab.locator("#hb-teams-platform").check()
    tab.locator("#hb-severity").select_option("major")


def offline(tab: Any, base: str, seen: list[str]) -> None:
    """Serve the site alone: a page opened elsewhere (the host's new-file page) is kept in seen, and
    given a blank page; nothing else leaves (Material asks the host's API for the repository's stars)."""

    def handle(route: Any) -> None:
        request = route.request
        if request.url.startswith(base):
            route.continue_()
        elif request.is_navigation_request():
            seen.append(request.url)
            route.fulfill(status=200, body="ok")
        else:
            route.abort()

    tab.route("**/*", handle)


def opened(browser: Any, base: str, screen: str, host: str) -> str:
    """Fill the form, press its button; return the address it opened on the repository's host."""
    context = browser.new_context(**SCREENS[screen])
    seen: list[str] = []
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        offline(tab, base, seen)
        tab.goto(base + "propose/")
        fill(tab)
        tab.locator("#hb-propose-go").click()
        tab.wait_for_url(f"https://{host}/**")
    finally:
        context.close()
    assert len(seen) == 1
    return seen[0]


def check_story(cli: Any, root: Path, path: str, content: str) -> None:
    """Write the file into the handbook and check it: no error, no warning but placeholders."""
    target = root / path
    assert not target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    try:
        result = cli(root, "check", "--format", "json")
        rows = json.loads(result.stdout)
        assert [r for r in rows if r["code"] != "HB402"] == [], rows
        assert {r["path"] for r in rows} <= {path}
        assert result.exit_code == 0
    finally:
        target.unlink()


@needs_chromium
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_form_opens_githubs_new_file_page_with_a_story_that_passes_check(forms, browser, cli, screen):
    roots, urls = forms
    address = urlsplit(opened(browser, urls["github"], screen, "github.com"))
    assert address.path == "/acme/handbook/new/main"
    query = parse_qs(address.query)
    story_id = _slug(TITLE)
    assert story_id == "arger-mit-lowen-someone-elses-cache"  # as `handbook new` names it
    assert query["filename"] == [f"stories/2024/{story_id}.md"]
    content = query["value"][0]
    assert "title: \"Ärger mit Löwen: someone else's cache\"" in content
    assert "## Why it happened" not in content  # empty: left out
    assert 'five_whys:\n  - "Every key expired at the same moment."\n' in content  # the one why given, alone
    check_story(cli, roots["github"], query["filename"][0], content)


@needs_chromium
def test_on_gitlab_the_form_opens_gitlabs_new_file_page(forms, browser, cli):
    roots, urls = forms
    address = urlsplit(opened(browser, urls["gitlab"], "desktop", "gitlab.example.com"))
    assert address.path == "/acme/handbook/-/new/trunk/"
    query = parse_qs(address.query)
    assert query["file_name"] == [f"stories/2024/{_slug(TITLE)}.md"]
    check_story(cli, roots["gitlab"], query["file_name"][0], query["content"][0])


@needs_chromium
@pytest.mark.parametrize("screen", list(SCREENS))
def test_with_no_repository_the_form_offers_the_same_file_to_download(forms, browser, cli, screen):
    roots, urls = forms
    github = parse_qs(urlsplit(opened(browser, urls["github"], "desktop", "github.com")).query)["value"][0]
    context = browser.new_context(**SCREENS[screen])
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        offline(tab, urls["none"], [])
        tab.goto(urls["none"] + "propose/")
        assert tab.locator("#hb-propose-go").inner_text() == "Make the story file"
        fill(tab)
        tab.locator("#hb-propose-go").click()
        link = tab.locator("#hb-propose-file")
        assert link.is_visible()
        assert link.get_attribute("download") == f"{_slug(TITLE)}.md"
        content = tab.evaluate("href => fetch(href).then(r => r.text())", link.get_attribute("href"))
        instructions = tab.locator("#hb-propose-result").inner_text()
    finally:
        context.close()
    assert content == github
    assert f"stories/2024/{_slug(TITLE)}.md" in instructions and "handbook check" in instructions
    check_story(cli, roots["none"], f"stories/2024/{_slug(TITLE)}.md", content)


@needs_chromium
@pytest.mark.parametrize("screen", list(SCREENS))
def test_empty_required_fields_show_an_error_beside_each(forms, browser, screen):
    _, urls = forms
    context = browser.new_context(**SCREENS[screen])
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        seen: list[str] = []
        offline(tab, urls["github"], seen)
        tab.goto(urls["github"] + "propose/")
        tab.locator("#hb-propose-go").click()
        for field in ("hb-title", "hb-date", "hb-summary", "hb-authors", "hb-lessons"):
            note = tab.locator(f"#{field}-error")
            assert note.is_visible() and note.inner_text().strip(), field
            control = tab.locator(f"#{field}" if field not in ("hb-authors", "hb-lessons") else f"#{field} input").first
            assert control.get_attribute("aria-invalid") == "true", field
        assert tab.locator("#hb-teams-error").inner_text() == ""  # teams are not required
        assert tab.evaluate("document.activeElement.id") == "hb-title"  # the first problem has the focus
        # A summary too short, and a title of a story that exists: each said beside its field.
        tab.locator("#hb-title").fill("First story")
        tab.locator("#hb-summary").fill("Too short.")
        tab.locator("#hb-propose-go").click()
        assert "exists already" in tab.locator("#hb-title-error").inner_text()
        assert "20-" in tab.locator("#hb-summary-error").inner_text()
        # Fixed, the note goes.
        tab.locator("#hb-authors-bob").check()
        assert tab.locator("#hb-authors-error").inner_text() == ""
        assert tab.locator("#hb-authors-bob").get_attribute("aria-invalid") is None
        assert urlsplit(tab.url).path.endswith("/propose/") and seen == []  # nothing was opened
    finally:
        context.close()


@needs_chromium
def test_blame_language_is_a_warning_beside_its_field_that_a_second_press_goes_past(forms, browser, cli):
    roots, urls = forms
    context = browser.new_context(**SCREENS["desktop"])
    seen: list[str] = []
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        offline(tab, urls["github"], seen)
        tab.goto(urls["github"] + "propose/")
        fill(tab, {**ANSWERS, "hb-happened": "It was human error, plainly."})
        tab.locator("#hb-propose-go").click()
        note = tab.locator("#hb-happened-error").inner_text()
        assert "human error" in note and "system condition" in note  # check's own advice (core/lint.py)
        assert tab.locator("#hb-happened").get_attribute("aria-invalid") is None  # a warning, not an error
        assert "press the button again" in tab.locator("#hb-propose-result").inner_text() and seen == []
        tab.locator("#hb-propose-go").click()
        tab.wait_for_url("https://github.com/**")
    finally:
        context.close()
    query = parse_qs(urlsplit(seen[0]).query)
    target = roots["github"] / query["filename"][0]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(query["value"][0], encoding="utf-8")
    try:
        rows = json.loads(cli(roots["github"], "check", "--format", "json").stdout)
    finally:
        target.unlink()
    assert [r["code"] for r in rows if r["code"] != "HB402"] == ["HB401"]  # what the form warned of, and nothing else


@needs_chromium
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("scheme", list(PALETTES))
def test_axe_finds_nothing_serious_on_the_form_or_the_edit_link(forms, browser, scheme, screen):
    _, urls = forms
    found: list[str] = []
    context = browser.new_context(**SCREENS[screen])
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        offline(tab, urls["github"], [])
        use_palette(tab, urls["github"] + "propose/", scheme)
        tab.goto(urls["github"] + "propose/")
        for state in ("empty", "with its problems shown", "a story page's Edit this story link"):
            if state == "with its problems shown":
                tab.locator("#hb-propose-go").click()
                assert tab.locator("#hb-title-error").inner_text()
            elif state != "empty":
                tab.goto(urls["github"] + "2021/first-story/")
                assert tab.get_by_role("link", name="Edit this story").is_visible()
            # Nothing is wider than the screen (the phone's above all).
            assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), state
            found += [f"{state}: {v}" for v in serious_violations(tab)]
    finally:
        context.close()
    assert found == [], "\n".join(found)
