"""`reekg fetch comtrade|comext|usgs`: download into the landing folder, then let the sensors
(or `reekg run`) load what landed. Errors are one line on stderr and exit code 1."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from etl.settings import Settings

if TYPE_CHECKING:  # imported by the commands, so `reekg --help` does not load httpx
    from etl.core.http import FetchError, FetchReport

fetch_app = typer.Typer(
    help="Fetch UN Comtrade, Eurostat Comext or USGS data into the landing folder.",
    no_args_is_help=True,
)

BASE_URL = typer.Option("--base-url", help="Another server with the same API (tests, mirrors).")
ATTEMPTS = typer.Option("--attempts", min=1, help="Tries per request (429, 5xx, dropped).")


def _codes(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(c.strip() for c in text.split(",") if c.strip())


def _done(report: FetchReport) -> None:
    for line in report.lines():
        typer.echo(line)


def _fail(exc: FetchError) -> None:
    typer.echo(f"reekg: error: {' '.join(str(exc).split())}", err=True)
    raise typer.Exit(1)


def _log(message: str) -> None:
    print(message, file=sys.stderr)


@fetch_app.command()
def comtrade(
    periods: Annotated[
        str | None,
        typer.Option(help="Comma-separated YYYY (annual) or YYYYMM (monthly); default: latest."),
    ] = None,
    freq: Annotated[str, typer.Option(help="A (annual) or M (monthly).")] = "M",
    reporters: Annotated[str | None, typer.Option(help="Reporter M49 codes, comma-separated.")] = (
        None
    ),
    partners: Annotated[str | None, typer.Option(help="Partner codes (default: all).")] = None,
    hs: Annotated[str | None, typer.Option(help="HS6 codes (default: the rare-earth codes).")] = (
        None
    ),
    base_url: Annotated[str | None, BASE_URL] = None,
    attempts: Annotated[int, ATTEMPTS] = 5,
) -> None:
    """UN Comtrade API (key from COMTRADE_API_KEY; without it the 500-row public preview)."""
    from etl.core.http import FetchError, RetryPolicy
    from etl.trade import fetch_comtrade as ct

    key = ct.api_key_from_env()
    if key is None:
        _log(f"note: {ct.KEY_ENV} is not set: using the public preview (at most 500 rows a call)")
    try:
        if periods is None:
            chosen = (
                ct.latest_months(date.today(), lag=2)
                if freq == "M"
                else (str(date.today().year - 2),)
            )
        else:
            chosen = _codes(periods) or ()
        query = ct.ComtradeQuery(
            reporters=_codes(reporters) or ct.DEFAULT_REPORTERS,
            periods=chosen,
            freq=freq,
            hs_codes=_codes(hs) or ct.RARE_EARTH_HS_CODES,
            partners=_codes(partners),
        )
        landing = Settings.from_env().landing_dir
        report = ct.ComtradeFetcher(landing, base_url, key, RetryPolicy(attempts), log=_log).fetch(
            query
        )
    except FetchError as exc:
        _fail(exc)
    _done(report)


@fetch_app.command()
def comext(
    years: Annotated[
        str | None, typer.Option(help="Comma-separated years (default: last year).")
    ] = (None),
    reporters: Annotated[str | None, typer.Option(help="Declarants (default: the EU-27).")] = None,
    partners: Annotated[str | None, typer.Option(help="Partners (default: all).")] = None,
    products: Annotated[str | None, typer.Option(help="CN8 codes (default: rare earths).")] = None,
    base_url: Annotated[str | None, BASE_URL] = None,
    attempts: Annotated[int, ATTEMPTS] = 5,
) -> None:
    """Eurostat Comext DS-045409 (JSON-stat): EU members' imports of rare-earth CN8 codes."""
    from etl.core.http import FetchError, RetryPolicy
    from etl.trade import fetch_comext as cx

    try:
        query = cx.ComextQuery(
            years=_codes(years) or (str(date.today().year - 1),),
            reporters=_codes(reporters) or cx.EU27,
            products=_codes(products) or cx.RARE_EARTH_CN8,
            partners=_codes(partners),
        )
        landing = Settings.from_env().landing_dir
        report = cx.ComextFetcher(landing, base_url, RetryPolicy(attempts), log=_log).fetch(query)
    except FetchError as exc:
        _fail(exc)
    _done(report)


@fetch_app.command()
def usgs(
    edition: Annotated[
        str | None, typer.Option(help="MCS edition year (default: this year's).")
    ] = None,
    item: Annotated[str | None, typer.Option(help="ScienceBase item id (default: search).")] = None,
    base_url: Annotated[str | None, BASE_URL] = None,
    attempts: Annotated[int, ATTEMPTS] = 5,
) -> None:
    """USGS Mineral Commodity Summaries data release: rare-earths world and salient CSVs."""
    from etl.core.http import FetchError, RetryPolicy
    from etl.production.fetch_usgs import UsgsFetcher

    try:
        landing = Settings.from_env().landing_dir
        report = UsgsFetcher(landing, base_url, RetryPolicy(attempts), log=_log).fetch(
            edition or str(date.today().year), item
        )
    except FetchError as exc:
        _fail(exc)
    _done(report)
