"""Entry point of the `reekg` console script; the commands live in `etl.query.cli`."""

from etl.query.cli import app

__all__ = ["app"]

if __name__ == "__main__":
    app()
