"""The site's address: what a published site needs `site_url` to be.

Feed links, canonical addresses, preview images and the 404 page's assets all start with
`site_url`; a site published at the scaffold's placeholder (or at none) points at the wrong
host, and under a sub-path (/REPO/) its 404 page looks for its assets at the root.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import yaml

from .project import _LenientLoader

SCAFFOLD_CONFIG = Path(__file__).resolve().parent.parent / "scaffold" / "mkdocs.yml"


def _scaffold_site_url() -> tuple[str, str]:
    """The variable and the placeholder of the scaffold's `site_url: !ENV [VARIABLE, PLACEHOLDER]`."""
    variable, placeholder = yaml.load(SCAFFOLD_CONFIG.read_text(encoding="utf-8"), Loader=_LenientLoader)["site_url"]
    return str(variable), str(placeholder)


VARIABLE, PLACEHOLDER = _scaffold_site_url()


def problem(site_url: str | None, config_name: str = "mkdocs.yml") -> str | None:
    """Why a site may not be published at this address (None: it may), in one line saying what to set."""
    todo = f"set site_url in {config_name} (or {VARIABLE}) to the address the site is served at"
    if not site_url:
        return f"the site has no address: {todo}"
    if site_url.rstrip("/") == PLACEHOLDER.rstrip("/"):
        return f"the site's address is the placeholder {PLACEHOLDER}: {todo}"
    return None


def on_ci() -> bool:
    """Whether this runs in a CI job (which sets CI, as GitHub Actions, GitLab and most others do)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unset_if_empty() -> None:
    """Count an empty VARIABLE as unset, so mkdocs.yml's default applies (CI passes an unset setting as empty)."""
    if os.environ.get(VARIABLE) == "":
        del os.environ[VARIABLE]


def configured(config_file: str) -> str | None:
    """The site_url MkDocs reads from config_file ('' for none; None when it cannot read the file,
    which the build then says); run it in a worker process, like a build."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    unset_if_empty()
    from mkdocs.config import load_config

    quiet = logging.getLogger("mkdocs")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # the build that follows reports what is wrong with the file, once
    try:
        return str(load_config(config_file).site_url or "")
    except Exception:
        return None
    finally:
        quiet.setLevel(level)
