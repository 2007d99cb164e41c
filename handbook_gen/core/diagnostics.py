"""The one value every problem is reported as."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in a handbook: where it is, what it is, how to fix it.

    Codes are stable: HB0xx files and YAML, HB1xx schema, HB2xx references,
    HB3xx variants and clearance, HB4xx language, HB5xx audit.
    """

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str

    def text(self) -> str:
        """Format as `path:line:col: severity: CODE message` (the line editors' problem matchers read)."""
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.code} {self.message}"

    def github(self) -> str:
        """Format as a GitHub workflow annotation, escaped as GitHub's toolkit does.

        Property values escape `%`, CR, LF, `:` and `,`, the message `%`, CR and LF, so a
        file name or message can never end the annotation or start another one.
        """
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = self.path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")
        return f"::{self.severity} file={path},line={self.line},col={self.col}::{message}"


def error(code: str, path: str, line: int, message: str, col: int = 1) -> Diagnostic:
    """Build an error diagnostic."""
    return Diagnostic(path, max(line, 1), max(col, 1), Severity.ERROR, code, message)


def warning(code: str, path: str, line: int, message: str, col: int = 1) -> Diagnostic:
    """Build a warning diagnostic."""
    return Diagnostic(path, max(line, 1), max(col, 1), Severity.WARNING, code, message)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Tell whether any diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    """Serialise diagnostics as a JSON array of objects."""
    rows = []
    for d in diagnostics:
        row = asdict(d)
        row["severity"] = str(d.severity)
        rows.append({k: row[k] for k in ("path", "line", "col", "severity", "code", "message")})
    return json.dumps(rows, indent=2, ensure_ascii=False)


def render(diagnostics: Iterable[Diagnostic], fmt: str = "text") -> str:
    """Render diagnostics in one of the formats `text`, `github` or `json`."""
    items = sorted(diagnostics)
    if fmt == "json":
        return to_json(items)
    if fmt == "github":
        return "\n".join(d.github() for d in items)
    return "\n".join(d.text() for d in items)
