"""Entry point of the `reekg` console script; the commands live in `etl.cli.app`."""

from etl.cli.app import app
from etl.cli.fetch import fetch_app

app.add_typer(fetch_app, name="fetch")

__all__ = ["app"]

if __name__ == "__main__":  # `python -m etl.cli.main` (tests start the server this way)
    app()
