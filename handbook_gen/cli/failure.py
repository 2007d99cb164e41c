"""The one way a command fails: raise `Failed`, which says why once (if it has something to say) and exits with 1."""

from __future__ import annotations

from typing import IO, Any

import click


class Failed(click.ClickException):
    """The command failed: print `Error: message` on standard error (nothing when the reason was shown already), exit 1."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)

    def show(self, file: IO[Any] | None = None) -> None:
        if self.message:
            super().show(file)
