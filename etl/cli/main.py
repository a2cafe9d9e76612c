"""Entry point of the `reekg` console script; the commands live in `etl.query.cli`."""

from etl.cli.fetch import fetch_app
from etl.query.cli import app

app.add_typer(fetch_app, name="fetch")

__all__ = ["app"]

if __name__ == "__main__":
    app()
