"""Whole outputs of the command line, as click and hatch test theirs: every help text compared with
tests/golden/cli/ (`pytest --update-golden` rewrites them), and `handbook check`'s exact standard
output, standard error and exit code on handbooks with known problems."""

from __future__ import annotations

import textwrap
from typing import Any

import click
import pytest
from click.testing import CliRunner
from conftest import story

from handbook_gen.cli import handbook

WIDTH = 80  # the help's layout depends on the terminal's width: fix it


def invoke(*args: str) -> Any:
    return CliRunner().invoke(handbook, list(args), terminal_width=WIDTH, catch_exceptions=False)


def test_every_help_text_is_golden(golden):
    outputs = {}
    for name in ["handbook", *handbook.commands]:
        result = invoke(*([] if name == "handbook" else [name]), "--help")
        assert (result.exit_code, result.stderr) == (0, ""), name
        outputs[f"{name}.txt"] = result.stdout
    golden("cli", outputs)


def test_help_is_the_same_through_h():
    assert invoke("-h").stdout == invoke("--help").stdout
    assert invoke("check", "-h").stdout == invoke("check", "--help").stdout


MIXED = {"stories": {
    "2021": {
        "typo.md": story("Typo story", extra="lesons: [keep-backups]\n"),
        "pub.md": story("Public story", extra="visibility: public\n"),
        "bad-date.md": story("Bad date", date="2021-02-30"),
    },
    "lessons": {"broken.md": "---\ntitle: [unclosed\n---\n\nText.\n"},
}}
MIXED_TEXT = """\
stories/2021/bad-date.md:3:7: error: HB001 broken YAML: '2021-02-30' is not a real date (day is out of range for month)
stories/2021/pub.md:7:1: warning: HB305 public story 'pub' is not cleared: it stays out of the public site until 'handbook clear pub --by AUTHOR'
stories/2021/typo.md:7:1: error: HB102 unknown field 'lesons' - did you mean 'lessons'?
stories/lessons/broken.md:2:8: error: HB001 broken YAML: while parsing a flow sequence expected ',' or ']', but got '<stream end>'
"""
MIXED_GITHUB = """\
::error file=stories/2021/bad-date.md,line=3,col=7::broken YAML: '2021-02-30' is not a real date (day is out of range for month)
::warning file=stories/2021/pub.md,line=7,col=1::public story 'pub' is not cleared: it stays out of the public site until 'handbook clear pub --by AUTHOR'
::error file=stories/2021/typo.md,line=7,col=1::unknown field 'lesons' - did you mean 'lessons'?
::error file=stories/lessons/broken.md,line=2,col=8::broken YAML: while parsing a flow sequence expected ',' or ']', but got '<stream end>'
"""
MIXED_SUMMARY = "2 stories, 1 lesson, 2 pages: 3 errors, 1 warning\n"


def _json_entry(path: str, line: int, col: int, severity: str, code: str, message: str) -> str:
    return textwrap.indent(
        f'{{\n  "path": "{path}",\n  "line": {line},\n  "col": {col},\n  "severity": "{severity}",\n'
        f'  "code": "{code}",\n  "message": "{message}"\n}}', "  ")


MIXED_JSON = "[\n" + ",\n".join([
    _json_entry("stories/2021/bad-date.md", 3, 7, "error", "HB001", "broken YAML: '2021-02-30' is not a real date (day is out of range for month)"),
    _json_entry("stories/2021/pub.md", 7, 1, "warning", "HB305",
                "public story 'pub' is not cleared: it stays out of the public site until 'handbook clear pub --by AUTHOR'"),
    _json_entry("stories/2021/typo.md", 7, 1, "error", "HB102", "unknown field 'lesons' - did you mean 'lessons'?"),
    _json_entry("stories/lessons/broken.md", 2, 8, "error", "HB001",
                "broken YAML: while parsing a flow sequence expected ',' or ']', but got '<stream end>'"),
]) + "\n]\n"


@pytest.mark.parametrize(("args", "stdout", "stderr"), [
    ((), MIXED_TEXT, MIXED_SUMMARY),
    (("--format", "github"), MIXED_GITHUB, MIXED_SUMMARY),
    (("--format", "json"), MIXED_JSON, ""),  # standard output is the JSON document alone
], ids=["text", "github", "json"])
def test_check_output_on_errors_and_a_warning(make_handbook, cli, args, stdout, stderr):
    result = cli(make_handbook(MIXED), "check", *args)
    assert (result.stdout, result.stderr, result.exit_code) == (stdout, stderr, 1)


def test_check_output_on_unknown_names(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {"unknown.md": story(
        "Unknown names", lessons="[no-such-lesson]", authors="[carol]", extra="related: [nobody]\n")}}})
    result = cli(root, "check")
    assert (result.stdout, result.stderr, result.exit_code) == (
        "stories/2021/unknown.md:5:11: error: HB202 'authors': unknown author 'carol' (add it to authors.yml)\n"
        "stories/2021/unknown.md:6:11: error: HB202 'lessons': unknown lesson 'no-such-lesson' (add lessons/<id>.md)\n"
        "stories/2021/unknown.md:7:11: error: HB202 'related': unknown story 'nobody' (related takes story ids (file names))\n",
        "2 stories, 1 lesson, 2 pages: 3 errors, 0 warnings\n",
        1,
    )


def test_check_output_on_a_warning_alone_with_and_without_strict(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {"pub.md": MIXED["stories"]["2021"]["pub.md"]}}})
    line = MIXED_TEXT.splitlines(keepends=True)[1]
    summary = "2 stories, 1 lesson, 2 pages: 0 errors, 1 warning\n"
    for args, code in (((), 0), (("--strict",), 1)):
        result = cli(root, "check", *args)
        assert (result.stdout, result.stderr, result.exit_code) == (line, summary, code), args


def test_check_output_on_a_clean_handbook(make_handbook, cli):
    result = cli(make_handbook(), "check", "--strict")
    assert (result.stdout, result.stderr, result.exit_code) == ("", "1 story, 1 lesson, 2 pages: 0 errors, 0 warnings\n", 0)


def test_check_output_outside_a_handbook(tmp_path, cli):
    result = cli(tmp_path, "check")
    assert (result.stdout, result.stderr, result.exit_code) == (
        "", f"Error: no mkdocs.yml in {tmp_path} or any folder above it: run handbook inside a handbook, or pass -f FILE\n", 1)


def test_check_output_on_an_unknown_format(make_handbook, cli):
    result = cli(make_handbook(), "check", "--format", "xml")
    assert (result.stdout, result.stderr, result.exit_code) == ("", (
        "Usage: handbook check [OPTIONS]\nTry 'handbook check --help' for help.\n\n"
        "Error: Invalid value for '--format': 'xml' is not one of 'text', 'github', 'json'.\n"), click.UsageError.exit_code)
