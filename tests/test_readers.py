"""What readers find: listings cut into pages, the staff's open follow-ups, and a front door
that leads somewhere (and never shows an empty section as zero). Real builds, exact assertions."""

from __future__ import annotations

import html
import posixpath
import re
from collections import Counter
from pathlib import Path

import pytest
from browsing import PALETTES, SCREENS, needs_chromium, serious_violations, served, tab, use_palette
from conftest import MKDOCS_YML, build_site, story
from mkdocs.exceptions import Abort
from variant_support import clear, site_files, token_hits

from handbook_gen.core import layout
from handbook_gen.core.listings import TEAMS, YEARS, paginate, window
from handbook_gen.core.validation import check

# --- helpers ---------------------------------------------------------------------------


def article(site: Path, url: str) -> str:
    """The visible main content (Material's <article>) of the page served at url."""
    text = (site / url / "index.html").read_text(encoding="utf-8")
    start = text.index("<article")
    # Hidden blocks (search metadata) are no part of what a reader sees.
    return re.sub(r"<div hidden\b[^>]*>.*?</div>", "", text[start : text.index("</article>", start)], flags=re.S)


def links(site: Path, url: str, within: str | None = None) -> list[str]:
    """The site-relative addresses a page's content links to, in order (within: a piece of it)."""
    part = within if within is not None else article(site, url)
    out = []
    for href in re.findall(r'<a\b[^>]*\bhref="([^"#]+)"', part):
        href = html.unescape(href)
        if "://" in href:
            continue
        out.append(posixpath.normpath(posixpath.join(url, href)).lstrip("./") + "/")
    return out


def pager(site: Path, url: str) -> str:
    part = article(site, url)
    found = re.findall(r'<nav aria-label="Pages of this listing" class="hb-pager">.*?</nav>', part, re.S)
    assert len(found) == 1, part
    return found[0]


def text_of(fragment: str) -> str:
    """The text of some HTML, tags dropped (inline ones without a space) and whitespace folded."""
    inline = re.sub(r"</?(?:a|span|strong|em|code|abbr)\b[^>]*>", "", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", inline)).split())


def nav_titles(site: Path) -> list[str]:
    """The titles in the primary navigation of the home page."""
    page = (site / "index.html").read_text(encoding="utf-8")
    nav = page[page.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index('<div class="md-sidebar md-sidebar--secondary"')]
    nav = re.sub(r'<nav class="md-nav md-nav--secondary".*?</nav>', "", nav, flags=re.S)  # the page's own contents
    titles: list[str] = []
    for t in re.findall(r'<span class="md-ellipsis">(.*?)</span>', nav, re.S):
        if not titles or titles[-1] != text_of(t):  # the active page is both a label and a link
            titles.append(text_of(t))
    return titles


def with_options(options: str) -> str:
    """The test mkdocs.yml with more handbook plugin options."""
    return MKDOCS_YML.replace("      variant:", f"{options}      variant:")


# --- 1. listings that bound ------------------------------------------------------------

# Five platform stories, newest first: what page_size 2 puts on each page.
TEAM_STORIES = [
    ("2022", "cache-flush", "2022-05-02"),
    ("2021", "dns-cutover", "2021-09-10"),
    ("2021", "disk-full", "2021-06-01"),
    ("2021", "bad-deploy", "2021-01-15"),
    ("2020", "lost-pager", "2020-03-03"),
]


def team_tree(page_size: int | None = 2) -> dict:
    folders: dict[str, dict[str, str]] = {}
    for year, sid, date in TEAM_STORIES:
        folders.setdefault(year, {})[f"{sid}.md"] = story(f"The {sid.replace('-', ' ')} story", date=date, extra="teams: [platform]\n")
    config = with_options(f"      page_size: {page_size}\n") if page_size is not None else MKDOCS_YML
    return {"mkdocs.yml": config, "stories": folders}


def test_page_paths_and_windows():
    assert (YEARS.page("2021"), YEARS.page("2021", 1), YEARS.page("2021", 2)) == ("years/2021.md", "years/2021.md", "years/2021/page/2.md")
    assert TEAMS.page("platform", 12) == "teams/platform/page/12.md"
    with pytest.raises(ValueError):
        YEARS.page("2021", 0)
    assert paginate([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert paginate([], 50) == [[]]
    with pytest.raises(ValueError):
        paginate([1], 0)
    assert window(1, 3) == [1, 2, 3]
    assert window(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert window(1, 20) == [1, 2, 3, None, 20]
    assert window(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]


def test_team_pages_split_by_page_size_link_each_other_and_hold_every_story_once(make_handbook):
    site = build_site(make_handbook(team_tree(page_size=2)), "internal")
    pages = ["teams/platform/", "teams/platform/page/2/", "teams/platform/page/3/"]
    team = site / "teams" / "platform"
    assert sorted(p.relative_to(team).as_posix() for p in team.rglob("index.html")) == [
        "index.html", "page/2/index.html", "page/3/index.html",
    ]
    story_urls = {f"{year}/{sid}/" for year, sid, _ in TEAM_STORIES}
    seen: Counter[str] = Counter()
    for number, url in enumerate(pages, 1):
        nav = pager(site, url)
        others = [p for p in pages if p != url]
        # Every page links to every other page of the group, and to no other page.
        assert sorted(set(links(site, url, nav))) == sorted(others)
        assert f"Page {number} of 3" in text_of(nav)
        assert f"5 stories, newest first; page {number} of 3. See all" in text_of(article(site, url))
        seen.update(u for u in links(site, url) if u in story_urls)
    assert seen == Counter(story_urls)  # every story exactly once across the three pages

    # Previous and next lead to the neighbouring pages.
    assert [text_of(a) for a in re.findall(r'<a [^>]*rel="prev"[^>]*>.*?</a>', pager(site, pages[1]))] == ["Previous page"]
    assert re.findall(r'href="([^"]+)" rel="next"', pager(site, pages[1])) == ["../3/"]
    assert re.findall(r'href="([^"]+)" rel="prev"', pager(site, pages[1])) == ["../../"]
    assert 'rel="prev"' not in pager(site, pages[0]) and 'rel="next"' not in pager(site, pages[2])

    # A team page sorts its stories under a heading per year, within each page.
    headings = {url: re.findall(r"<h2 id=\"[^\"]*\">(\d{4})", article(site, url)) for url in pages}
    assert headings == {"teams/platform/": ["2022", "2021"], "teams/platform/page/2/": ["2021"], "teams/platform/page/3/": ["2020"]}
    order = [u for url in pages for u in links(site, url) if u in story_urls]
    assert order == [f"{year}/{sid}/" for year, sid, _ in TEAM_STORIES]  # newest first throughout

    # The group index shows counts; a year page is cut the same way (2021 holds three stories).
    index = text_of(article(site, "teams/"))
    assert "platform 5" in index
    assert (site / "years" / "2021" / "page" / "2" / "index.html").is_file()
    assert not (site / "years" / "2021" / "page" / "3").exists() and not (site / "years" / "2022" / "page").exists()
    # Year pages have no year headings of their own.
    assert re.findall(r"<h2 id=\"[^\"]*\">(\d{4})", article(site, "years/2021/")) == []
    h1 = [text_of(re.findall(r"<h1[^>]*>(.*?)</h1>", article(site, url), re.S)[0]) for url in pages]
    assert h1 == ["Team: platform", "Team: platform (page 2)", "Team: platform (page 3)"]


def test_default_page_size_keeps_a_group_on_one_page(make_handbook):
    site = build_site(make_handbook(team_tree(page_size=None)), "internal")
    assert not (site / "teams" / "platform" / "page").exists()
    assert "hb-pager" not in article(site, "teams/platform/")
    assert "5 stories, newest first. See all" in text_of(article(site, "teams/platform/"))


def test_a_page_size_below_one_stops_the_build(make_handbook, caplog):
    with pytest.raises(Abort):
        build_site(make_handbook(team_tree(page_size=0)), "internal")
    assert "page_size must be 1 or more, not 0" in "\n".join(r.getMessage() for r in caplog.records)


# --- 2. follow-ups for staff -----------------------------------------------------------

FOLLOW_UPS = {
    # id: (date, follow-ups as (title, status))
    "old-outage": ("2019-02-01", [("Zqx rotate the old keys", "open"), ("Zqx write the runbook", "done")]),
    "new-outage": ("2023-08-01", [("Zqx page the right team", "open"), ("Zqx add a canary", "open")]),
    "all-done": ("2021-05-05", [("Zqx nothing left here", "done"), ("Zqx dropped idea", "wontfix")]),
}


def follow_up_tree() -> dict:
    folders: dict[str, dict[str, str]] = {}
    for sid, (date, items) in FOLLOW_UPS.items():
        lines = "".join(f"  - {{title: {title}, status: {status}}}\n" for title, status in items)
        extra = "visibility: public\nfollow_ups:\n" + lines
        folders.setdefault(date[:4], {})[f"{sid}.md"] = story(f"The {sid.replace('-', ' ')} story", date=date, extra=extra)
    return {"stories": folders}


def test_follow_ups_page_lists_open_follow_ups_oldest_story_first_internal_only(make_handbook):
    root = make_handbook(follow_up_tree())
    clear(root, *FOLLOW_UPS)
    internal = build_site(root, "internal")
    page = article(internal, "follow-ups/")
    # None has a due date: oldest story first (tests/test_follow_ups.py sorts by due date).
    assert [u for u in links(internal, "follow-ups/") if u.startswith("20")] == ["2019/old-outage/", "2023/new-outage/", "2023/new-outage/"]
    assert [text_of(td) for td in re.findall(r"<td>(.*?)</td>", page, re.S)][1::5] == [
        "Zqx rotate the old keys", "Zqx page the right team", "Zqx add a canary",
    ]
    assert "3 open follow-ups from 2 stories, by due date, undated last (2 done, 1 won't fix)." in text_of(page)
    assert "Zqx write the runbook" not in page and "Zqx dropped idea" not in page
    assert "Follow-ups" in nav_titles(internal)
    stats = text_of(article(internal, "stats/"))
    assert "Follow-ups Status Follow-ups Done 2 Open 3 Won't fix 1 The open follow-ups, by due date" in stats

    public = build_site(root, "public")
    assert not (public / "follow-ups").exists()
    assert [rel for rel in site_files(public) if "follow-ups" in rel] == []
    titles = {f"follow-up {i}": title for i, (title, _) in enumerate(t for _, items in FOLLOW_UPS.values() for t in items)}
    assert token_hits(public, titles) == []
    assert "Follow-ups" not in nav_titles(public)
    # The statistics page shows the counts in both variants, without the link to the staff page.
    stats = text_of(article(public, "stats/"))
    assert "Follow-ups Status Follow-ups Done 2 Open 3 Won't fix 1 " in stats
    assert "by due date" not in stats


def test_follow_ups_page_without_open_follow_ups_says_so(make_handbook):
    internal = build_site(make_handbook(), "internal")
    assert text_of(article(internal, "follow-ups/")).endswith("No open follow-up: every follow-up in this handbook is done or dropped.")
    # No follow-up at all: the statistics page has no follow-up section, rather than zeros.
    assert "Follow-ups" not in text_of(article(internal, "stats/"))


def test_a_page_named_like_the_follow_ups_page_is_an_error(make_handbook):
    root = make_handbook({"stories": {"follow-ups.md": "# Our follow-ups\n"}})
    _, problems = check(root / "stories", root)
    assert [d.text() for d in problems if d.severity == "error"] == [
        "stories/follow-ups.md:1:1: error: HB205 page 'follow-ups.md' collides with the generated page 'follow-ups.md' "
        "- rename the file, for example to 'follow-ups-page.md'"
    ]
    assert layout.FOLLOW_UPS in layout.GENERATED_PAGES


# --- 3. the front door ------------------------------------------------------------------

ZERO = re.compile(r"(?<![\d.,])0\s+(stor|team|lesson|award|follow)", re.I)


def test_public_site_without_a_public_story_shows_no_zero_and_no_empty_listing(make_handbook):
    site = build_site(make_handbook(), "public")  # the base tree's only story is internal
    texts = {}
    for rel, data in site_files(site).items():
        if rel.endswith((".html", ".json", ".xml")):
            texts[rel] = text_of(data.decode("utf-8"))
    assert [rel for rel, t in texts.items() if ZERO.search(t)] == []
    assert [rel for rel, t in texts.items() if "No stories yet" in t] == []
    # The culture page builds, with no highlights at all rather than zeros.
    culture = article(site, "culture/")
    assert '<h1 id="culture">Culture</h1>\n<p>We tell failures.</p>' in culture
    assert "<h2" not in culture and "hb-figure" not in culture and "Highlights" not in culture
    # No listing has a group: none has an index page, none is in the navigation.
    for folder in ("years", "teams", "tags", "kinds", "severities"):
        assert not (site / folder).exists(), folder
    # The base tree's lesson is public: Lessons stays; Stories, Awards and Statistics have nothing to show.
    assert nav_titles(site) == ["Home", "Culture", "Lessons"]
    home = article(site, "")
    assert "Welcome." in home
    start = home[home.index('<h2 id="start-here"') :]
    assert links(site, "", start) == ["culture/"]
    assert text_of(start).endswith("Start here Our culture: why we tell our failures, and what we do with them.")
    # The statistics page still builds, and says there is nothing yet.
    assert "No stories in this handbook yet." in text_of(article(site, "stats/"))


def test_home_page_leads_to_culture_hall_of_fame_and_latest_stories(make_handbook):
    award = "award: {year: 2021, title: Biggest Mistake of the Year}\n"
    stories = {
        "first-story.md": story(extra=award),
        "second.md": story("The second story", date="2021-05-01"),
        "third.md": story("The third story", date="2021-06-01"),
        "fourth.md": story("The fourth story", date="2021-07-01"),
    }
    site = build_site(make_handbook({"stories": {"2021": stories}}), "internal")
    home = article(site, "")
    assert "Welcome." in home  # the handbook's own home page is kept
    start = home[home.index('<h2 id="start-here"') :]
    assert links(site, "", start) == ["culture/", "propose/", "awards/", "2021/fourth/", "2021/third/", "2021/second/"]
    assert "The hall of fame: the award winners" in text_of(start)
    assert nav_titles(site)[:4] == ["Home", "Culture", "Awards", "Lessons"]
    culture = text_of(article(site, "culture/"))
    assert "4 stories told" in culture and "1 team" not in culture  # no story names a team: no team figure
    assert "Award winners" in culture


def test_a_handbook_without_index_md_gets_a_generated_home(make_handbook):
    root = make_handbook()
    (root / "stories" / "index.md").unlink()
    for variant in ("internal", "public"):
        site = build_site(root, variant)
        home = text_of(article(site, ""))
        assert home.startswith("Welcome Stories of things that went wrong"), home
        assert "Start here" in home
        assert nav_titles(site)[:2] == ["Home", "Culture"]


def test_an_internal_home_page_is_replaced_in_the_public_site(make_handbook):
    root = make_handbook({"stories": {"index.md": "---\ntitle: Staff home\nvisibility: internal\n---\n\n# Staff home\n\nZqx staff only.\n"}})
    public = build_site(root, "public")
    home = text_of(article(public, ""))
    assert "Zqx" not in home and home.startswith("Welcome") and "Start here" in home
    internal = build_site(root, "internal")
    assert "Zqx staff only." in text_of(article(internal, ""))


# --- 4. accessibility: axe on every page type, in both palettes ---------------------------

# Every page type of the sample handbook, by the site it is in and its address there.
PAGE_TYPES = {
    "home": ("internal", ""),
    "culture": ("internal", "culture/"),
    "story (internal site)": ("internal", "2019/the-backup-we-never-restored/"),
    "lesson": ("internal", "lessons/test-your-backups/"),
    "lessons index": ("internal", "lessons/"),
    "listing index": ("internal", "teams/"),
    "group page": ("internal", "teams/platform/"),
    "group page 2, by year": ("internal", "teams/platform/page/2/"),
    "year page": ("internal", "years/2021/"),
    "awards": ("internal", "awards/"),
    "stats": ("internal", "stats/"),
    "follow-ups": ("internal", "follow-ups/"),
    "home (public site)": ("public", ""),
    "story (public site)": ("public", "2023/the-weekend-the-cloud-bill-ran-away/"),
}


@pytest.fixture(scope="module")
def sample_sites(tmp_path_factory: pytest.TempPathFactory):
    """The repo's sample handbook (groups cut into pages of 3), both variants served over HTTP."""
    import shutil

    from conftest import REPO

    root = tmp_path_factory.mktemp("a11y")
    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, root / name)
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "      variant:" in config
    (root / "mkdocs.yml").write_text(config.replace("      variant:", "      page_size: 3\n      variant:"), encoding="utf-8")
    sites = {variant: build_site(root, variant, root / "site" / variant) for variant in ("internal", "public")}
    with served(sites) as urls:
        yield urls


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("scheme", list(PALETTES))
def test_every_page_type_has_no_serious_accessibility_violation(sample_sites, browser, scheme, screen):
    found: dict[str, list[str]] = {}
    for variant, base in sample_sites.items():
        with tab(browser, screen) as page:
            use_palette(page, base, scheme)
            for name, (site, address) in PAGE_TYPES.items():
                if site != variant:
                    continue
                response = page.goto(base + address)
                assert response is not None and response.status == 200, (name, address)
                assert page.evaluate("document.body.dataset.mdColorScheme") == scheme, name
                found[name] = serious_violations(page)
    assert sorted(found) == sorted(PAGE_TYPES)
    problems = [f"{name}: {v}" for name, violations in found.items() for v in violations]
    assert problems == [], "\n".join(problems)


# --- 5. a paginated listing in the browser, on a laptop and on a phone ----------------------


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("screen", list(SCREENS))
def test_a_paginated_listing_links_its_pages_in_the_browser(sample_sites, browser, screen):
    base = sample_sites["internal"]
    with tab(browser, screen) as page:
        page.goto(base + "teams/platform/")
        pager = page.get_by_role("navigation", name="Pages of this listing")
        pager.scroll_into_view_if_needed()
        assert pager.is_visible()
        # The pager fits the screen: nothing of it lies beyond the right edge.
        box, width = pager.bounding_box(), page.viewport_size["width"]
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
        assert pager.get_by_text("Page 1 of").is_visible()
        total = int(pager.get_by_text("Page 1 of").inner_text().split()[-1])
        assert total >= 2
        # Each numbered link shows and leads to a page of the group that names its number.
        numbered = pager.get_by_role("link", name=re.compile(r"^Page \d+$"))
        assert numbered.count() >= 1
        for k in range(numbered.count()):
            link = numbered.nth(k)
            number = link.get_attribute("aria-label").split()[1]
            assert link.is_visible() and link.inner_text().strip() == number
            target = link.evaluate("a => a.href")
            assert target == base + f"teams/platform/page/{number}/"
            assert page.request.get(target).status == 200
        first_stories = page.locator("article a:not(.hb-pager a)").evaluate_all("els => els.map(a => a.href)")
        # Next, then previous: a reader's way through the pages.
        pager.get_by_role("link", name="Next page").click()
        page.wait_for_url(base + "teams/platform/page/2/")
        pager = page.get_by_role("navigation", name="Pages of this listing")
        assert pager.get_by_text("Page 2 of").is_visible()
        assert page.locator("article h1").inner_text().rstrip("¶").strip() == "Team: platform (page 2)"  # ¶: the permalink
        second_stories = page.locator("article a:not(.hb-pager a)").evaluate_all("els => els.map(a => a.href)")
        stories = [u for u in second_stories if re.search(r"/\d{4}/[^/]+/$", u)]
        assert stories and not set(stories) & set(first_stories)  # other stories than page 1's
        pager.get_by_role("link", name="Previous page").click()
        page.wait_for_url(base + "teams/platform/")
        # And the last page, reached by its number, has no next page.
        page.get_by_role("navigation", name="Pages of this listing").get_by_role("link", name=f"Page {total}", exact=True).click()
        page.wait_for_url(base + f"teams/platform/page/{total}/")
        last = page.get_by_role("navigation", name="Pages of this listing")
        assert last.get_by_text(f"Page {total} of {total}").is_visible()
        assert last.get_by_role("link", name="Next page").count() == 0


TEAMS_YML = """\
platform:
  name: Platform Engineering
  description: Runs the shared infrastructure.
data:
  name: Data & Analytics
payments:
  name: Payments Squad
  description: Takes the money.
"""


def test_team_listings_show_the_names_and_descriptions_of_teams_yml(make_handbook):
    from variant_support import clear

    root = make_handbook({"stories": {"teams.yml": TEAMS_YML, "2021": {
        "first-story.md": story(extra="teams: [platform, data]\nvisibility: public\n", authors="[bob]"),
        "internal-one.md": story("An internal story", extra="teams: [payments]\n"),
    }}})
    clear(root, "first-story")
    internal = build_site(root, "internal")
    assert text_of(article(internal, "teams/")) == ("Stories by team Data & Analytics 1 Payments Squad 1: Takes the money. "
                                                    "Platform Engineering 1: Runs the shared infrastructure. "
                                                    "Something like this happened to you? Tell a story.")  # internal: the propose form
    page = article(internal, "teams/platform/")
    assert text_of(page).startswith("Team: Platform Engineering Runs the shared infrastructure. 1 story, newest first.")
    assert text_of(article(internal, "teams/data/")).startswith("Team: Data & Analytics 1 story, newest first.")
    public = build_site(root, "public")
    # The public site names only the teams of its stories.
    assert "Payments" not in text_of(article(public, "teams/"))
    assert text_of(article(public, "teams/platform/")).startswith("Team: Platform Engineering Runs the shared infrastructure.")
