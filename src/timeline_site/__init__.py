"""timeline-site: a static-site generator for dated, cross-linked timelines."""

__version__ = "0.1.0"
