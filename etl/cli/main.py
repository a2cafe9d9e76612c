"""Entry point of the `reekg` console script; the commands live in `etl.cli.app`."""

from etl.cli.app import app

__all__ = ["app"]

if __name__ == "__main__":
    app()
