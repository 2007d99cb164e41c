"""Turn a variant view of a handbook into Markdown pages and a feed."""

from .pages import Renderer

__all__ = ["Renderer"]
