"""Developer tools that are not part of the pipeline (run as `python -m tools.<name>`)."""
