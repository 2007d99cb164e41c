"""One way for a command to fail: `Failed`, printed once (or not at all when the command said why), exit 1."""

from __future__ import annotations

import ast

import click
from click.testing import CliRunner
from conftest import REPO

from handbook_gen.cli.failure import Failed

CLI = REPO / "handbook_gen" / "cli"


def _run(error: Failed) -> tuple[int, str, str]:
    @click.command()
    def command() -> None:
        click.echo("what went wrong, said by the command", err=True)
        raise error

    result = CliRunner().invoke(command, [])
    return result.exit_code, result.stdout, result.stderr


def test_a_failure_with_a_reason_says_it_once_and_one_without_adds_nothing():
    said = "what went wrong, said by the command\n"
    assert _run(Failed("no mkdocs.yml here")) == (1, "", said + "Error: no mkdocs.yml here\n")
    assert _run(Failed()) == (1, "", said)


def _other_exits(path) -> list[str]:
    """Where a CLI file ends the process or fails some other way than by raising Failed."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            call = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = ast.unparse(call)
            if name in ("SystemExit", "click.ClickException", "click.exceptions.Exit", "click.Abort"):
                found.append(f"{path.name}:{node.lineno}: raise {name}")
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("sys.exit", "exit", "os._exit", "ctx.exit", "ctx.fail"):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node.func)}()")
    return found


def test_every_command_fails_by_raising_failed():
    assert [hit for path in sorted(CLI.glob("*.py")) for hit in _other_exits(path)] == []
    # Usage errors stay click's own (they print the usage line and exit 2), as click and hatch do.
    assert issubclass(Failed, click.ClickException) and not issubclass(Failed, click.UsageError)
