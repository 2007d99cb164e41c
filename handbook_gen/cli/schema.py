"""`handbook schema`: print the JSON Schema of story front-matter."""

from __future__ import annotations

import json

import click

from ..core.schema import story_json_schema


@click.command("schema")
def command() -> None:
    """Print the JSON Schema of story front-matter."""
    click.echo(json.dumps(story_json_schema(), indent=2))
