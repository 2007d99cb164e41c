"""`handbook serve`: a live-reloading preview."""

from __future__ import annotations

import errno
import os

import click

from ..core.variants import Variant
from . import configure
from .build import VARIANTS
from .failure import Failed
from .project import find


@click.command("serve")
@click.option("--variant", type=click.Choice(VARIANTS), default=Variant.INTERNAL.value, show_default=True)
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="IP:PORT to serve on.")
@click.pass_obj
def command(config_file: str, variant: str, dev_addr: str) -> None:
    """Preview the handbook with live reload (internal preview shows drafts)."""
    project = find(config_file)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    import logging

    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    logging.basicConfig(level=logging.INFO, format="%(levelname)s - %(message)s")
    # Dirty builds let the plugin render again only the pages whose content changed; it
    # keeps navigation and search whole, so MkDocs' warning about them does not apply.
    logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
    try:
        config_file = str(project.config_file)
        # The variant rides on every reload of mkdocs.yml the preview makes (an edit of its
        # plugins list shows after a restart).
        serve(config_file, dev_addr=dev_addr, livereload=True, build_type="dirty", **configure.options(config_file, variant))
    except MkDocsException as exc:
        raise Failed(str(exc)) from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            host, _, port = dev_addr.rpartition(":")
            raise Failed(
                f"{dev_addr} is in use (another preview?): pass another address, such as -a {host or '127.0.0.1'}:{int(port or 8000) + 1}"
            ) from None
        raise Failed(f"cannot serve on {dev_addr}: {exc.strerror}") from None
