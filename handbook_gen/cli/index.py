"""`handbook index SITE_DIR`: index a site built by any engine with Pagefind."""

from __future__ import annotations

from pathlib import Path

import click

from .failure import Failed


@click.command("index")
@click.argument("site_dir", type=click.Path(exists=True, file_okay=False))
def command(site_dir: str) -> None:
    """Index a built site for search with Pagefind (for a site built from `handbook export`)."""
    from ..search import pagefind

    if not any(Path(site_dir).rglob("*.html")):
        raise Failed(f"{site_dir} holds no HTML page: build the site first")
    try:
        pagefind.run(Path(site_dir).absolute())  # Pagefind runs in a folder of its own
    except pagefind.PagefindError as exc:
        raise Failed(str(exc)) from None
    click.echo(f"indexed {site_dir} for search into {Path(site_dir, pagefind.BUNDLE).as_posix()}/")
