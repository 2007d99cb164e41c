"""The `handbook` command: each subcommand is a few lines over handbook_gen.core."""

from __future__ import annotations

import click

from . import audit, build, check, clear, init, new, schema, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-f", "--config-file", "config_file", default="mkdocs.yml", show_default=True,
              type=click.Path(dir_okay=False), help="The handbook's MkDocs configuration.")
@click.version_option(package_name="handbook-gen")
@click.pass_context
def handbook(ctx: click.Context, config_file: str) -> None:
    """Check, build, scaffold, clear and audit a failure-stories handbook."""
    ctx.obj = config_file


for module in (check, build, serve, new, clear, audit, schema, init):
    handbook.add_command(module.command)


def main() -> None:
    """Run the command line."""
    handbook(prog_name="handbook")
