"""Deployment fixtures: a real PostgreSQL server of its own and a real Oxigraph server."""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from tests.query.conftest import free_port, stop, wait_http

ENSURE_POSTGRES = Path(__file__).parent / "ensure_postgres.sh"
DATABASE = "dagster"
USER = "reekg"


@dataclass(frozen=True)
class Postgres:
    """A running server: connection settings, and the env `deploy/dagster.yaml` reads them from."""

    port: int
    password: str

    @property
    def env(self) -> dict[str, str]:
        return {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": USER,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": DATABASE,
        }

    def connect(self, database: str = DATABASE) -> psycopg2.extensions.connection:
        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user=USER, password=self.password, dbname=database
        )


def postgres_bin() -> Path:
    """The newest installed server's bin folder (Debian keeps it off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        subprocess.run(["bash", str(ENSURE_POSTGRES)], check=True, timeout=900)
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found and shutil.which("initdb"):
        return Path(shutil.which("initdb") or "").resolve().parent
    assert found, "no PostgreSQL server: run `bash tests/deploy/ensure_postgres.sh` as root"
    return Path(found[-1]).parent


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """PostgreSQL on a free loopback port, its cluster in a temporary folder, run as the
    `postgres` user (as root) or as the current user; password authentication."""
    bin_dir = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="reekg-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    root.chmod(0o700)
    password = secrets.token_hex(12)
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if as_user:
        os.chown(pwfile, account.pw_uid, account.pw_gid)
    data, port = root / "data", free_port()
    subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "-E", "UTF8",
         f"--pwfile={pwfile}", "--auth=scram-sha-256"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*pg_ctl, "-l", str(root / "server.log"), "-o", options, "-w", "-t", "120", "start"],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    server = Postgres(port, password)
    try:
        con = server.connect("postgres")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DATABASE}")
        con.close()
        yield server
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """A real read-write `oxigraph serve` (PyPI `oxigraph`) on a free port; its base URL."""
    binary = Path(sys.executable).parent / "oxigraph"
    assert binary.exists(), "the dev group installs the `oxigraph` server CLI"
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(tmp_path / "oxigraph"),
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/query?query=ASK%7B%7D", process)
        yield base
    finally:
        stop(process)
