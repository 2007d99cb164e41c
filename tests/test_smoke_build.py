"""A first real build of a tiny handbook, both variants."""

from conftest import build_site


def test_tiny_handbook_builds_both_variants(make_handbook):
    root = make_handbook()
    internal = build_site(root, "internal")
    assert (internal / "2021" / "first-story" / "index.html").is_file()
    assert "Internal" in (internal / "index.html").read_text()
    public = build_site(root, "public")
    # The only story is internal (the default), so it is not in the public site.
    assert not (public / "2021" / "first-story").exists()
    assert "first-story" not in (public / "search" / "search_index.json").read_text()
