"""Turn structured incident records into blameless post-incident review reports."""

__version__ = "0.1.0"
