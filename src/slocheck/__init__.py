"""slocheck: tell, with evidence, whether a release meets its SLOs under load."""

__version__ = "0.1.0"
