"""`pip install` of the built wheel gives a package that runs: the wheel carries the ontology,
shapes, queries and bundled data, installs no top-level name but `etl`, and `reekg run` in a
fresh venv publishes under `REEKG_HOME` from a folder outside the checkout."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import duckdb
import pytest

from etl.settings import PROJECT_ROOT

UV = PROJECT_ROOT / ".tools" / "bin" / "uv"
QUOTAS = PROJECT_ROOT / "data" / "capacity" / "china_re_quotas_2015_2023.csv"
RUN_TIMEOUT = 300


def uv() -> str:
    found = str(UV) if UV.exists() else shutil.which("uv")
    assert found, "uv is installed by `make setup` under .tools/bin"
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(out), str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (path,) = out.glob("reekg-*.whl")
    return path


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no system site-packages) with the wheel and its locked dependencies.

    uv installs them from its cache, offline; only on a cold cache (the first run on a machine)
    does it ask PyPI, the registry `make setup` already uses, for the index pages it lacks."""
    root = tmp_path_factory.mktemp("venv")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    pins, python = root / "requirements.txt", root / "venv" / "bin" / "python"
    steps = [
        [uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
         "--extra", "postgres", "--project", str(PROJECT_ROOT), "-o", str(pins), "-q"],
        [uv(), "venv", "-q", "--python", "3.11", str(root / "venv")],
        [uv(), "pip", "install", "-q", "--offline", "--python", str(python),
         "-r", str(pins), str(wheel)],
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=240, env=env)
        if done.returncode != 0 and "--offline" in step:
            online = [arg for arg in step if arg != "--offline"]
            done = subprocess.run(online, capture_output=True, text=True, timeout=240, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    return root / "venv"


def outside_env(home: Path) -> dict[str, str]:
    """The environment of a user outside the checkout: no REEKG_*, DAGSTER_HOME or PYTHONPATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("REEKG_") and k not in ("DAGSTER_HOME", "PYTHONPATH", "VIRTUAL_ENV")
    }
    return {**env, "REEKG_HOME": str(home)}


def test_wheel_carries_data_and_ontology_under_the_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"etl", "reekg-0.1.0.dist-info"}
    for folder in ("data", "ontology"):
        expected = {
            f"etl/_bundle/{p.relative_to(PROJECT_ROOT).as_posix()}"
            for p in (PROJECT_ROOT / folder).rglob("*")
            if p.is_file()
        }
        assert expected and expected <= set(names), sorted(expected - set(names))
    assert "etl/core/sql/copy_warehouse_snapshot.sql" in names


def test_installed_reekg_run_publishes_outside_the_checkout(venv: Path, tmp_path: Path) -> None:
    cwd, home = tmp_path / "elsewhere", tmp_path / "home"
    cwd.mkdir()
    env = outside_env(home)
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import etl.settings as s; print(s.BUNDLED_DATA)"],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=60,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    done = subprocess.run(
        [str(venv / "bin" / "reekg"), "run"],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=RUN_TIMEOUT,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert not list(cwd.iterdir()), "reekg run wrote into the working folder"
    published = home / "published" / "warehouse.duckdb"
    assert (home / "published" / "graph" / "current" / "dataset.nq").is_file()

    with QUOTAS.open(encoding="utf-8", newline="") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if (r["year"], r["batch"], r["quota_type"]) == ("2023", "1", "smelting_separation")
            and r["entity_type"] != "national"
            and r["ore_type"] == "all"
        ]
    expected = sum(int(r["tonnes_reo"]) for r in rows)
    with duckdb.connect(str(published), read_only=True) as con:
        (total, holders) = con.execute(
            "SELECT sum(tonnes_reo), count(*) FROM marts.quota_by_holder "
            "WHERE year = 2023 AND batch = '1' AND quota_type = 'smelting_separation'"
        ).fetchone() or (0, 0)
        marts = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
    assert holders == len(rows) and total == expected
    assert {"quota_by_holder", "quota_concentration", "quota_change"} <= marts


def test_missing_data_folder_is_one_line(venv: Path, tmp_path: Path) -> None:
    env = {**outside_env(tmp_path / "home"), "REEKG_DATA_DIR": str(tmp_path / "nowhere")}
    done = subprocess.run(
        [str(venv / "bin" / "reekg"), "run"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout, done.stderr[-3000:]
    assert len(errors) == 1 and "nowhere/reference/sources.csv" in errors[0], done.stderr
