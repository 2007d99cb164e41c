"""handbook_gen: turn failure stories into a searchable, blameless handbook."""

__version__ = "0.1.0"
