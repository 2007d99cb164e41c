"""The `handbook` command: each subcommand is a few lines over handbook_gen.core."""

from __future__ import annotations

import click

from . import audit, build, check, clear, deploy, diff, export, index, init, migrate, new, schema, serve

_CONFIG_HELP = "The handbook's MkDocs configuration, or the folder holding it [default: the nearest mkdocs.yml, from the current folder up]."
# Subcommands that read no handbook, so take no -f FILE of their own.
_NO_HANDBOOK = frozenset({"init", "schema", "index"})


def _config_file_option() -> click.Option:
    """The -f FILE a subcommand accepts after its name; it wins over one given before."""

    def remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None:
            ctx.obj = value

    return click.Option(["-f", "--config-file", "config_file"], type=click.Path(), default=None,
                        expose_value=False, callback=remember, help=_CONFIG_HELP)


class _Handbook(click.Group):
    """A group whose handbook-reading subcommands also take -f FILE after their name."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the subcommands with their whole first sentence, wrapped rather than cut off."""
        rows = [(name, cmd.get_short_help_str(limit=1000)) for name in self.list_commands(ctx) if (cmd := self.get_command(ctx, name))]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        taken = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)} | {p.name for p in cmd.params}
        if (name or cmd.name) not in _NO_HANDBOOK and not taken & {"-f", "--config-file", "config_file"}:
            cmd.params.append(_config_file_option())
        super().add_command(cmd, name)


@click.group(cls=_Handbook, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@click.option("-f", "--config-file", "config_file", default=None, type=click.Path(), help=_CONFIG_HELP)
@click.version_option(package_name="handbook-gen")
@click.pass_context
def handbook(ctx: click.Context, config_file: str | None) -> None:
    """Check, build, scaffold, clear and audit a failure-stories handbook."""
    # None: each command finds the handbook from the current folder up (project.find).
    ctx.obj = config_file


for module in (check, build, deploy, diff, serve, new, clear, audit, schema, init, migrate, export, index):
    handbook.add_command(module.command)


def main() -> None:
    """Run the command line."""
    handbook(prog_name="handbook")
