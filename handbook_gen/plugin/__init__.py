"""The MkDocs adapter: validate, filter to a variant, add generated pages, render."""

from .plugin import HandbookPlugin

__all__ = ["HandbookPlugin"]
