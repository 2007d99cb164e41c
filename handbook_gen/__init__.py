"""handbook_gen: turn failure stories into a searchable, blameless handbook."""

from importlib import metadata

try:
    # The installed distribution's record: setuptools-scm wrote it from the git tag at build time.
    __version__ = metadata.version("handbook-gen")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
