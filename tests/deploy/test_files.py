"""`deploy/`: the files README's "Beyond one machine" points at exist and fit together. No Docker
engine runs here, so the Dockerfile is parsed with BuildKit's own parser (PyPI `dockerfile`),
its `uv sync` steps are run on a copy of exactly what it `COPY`s, and its `CMD` serves the
definitions over gRPC; the compose file is checked for structure and cross-references."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import dockerfile
import pytest
import yaml
from dagster._grpc.client import DagsterGrpcClient
from dagster._serdes import deserialize_value

from etl.settings import PROJECT_ROOT
from tests.deploy.conftest import Postgres
from tests.query.conftest import free_port

DEPLOY = PROJECT_ROOT / "deploy"
UV = PROJECT_ROOT / ".tools" / "bin" / "uv"
SERVICES = {"postgres", "oxigraph", "code", "webserver", "daemon"}
PG_VARS = {"DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD",
           "DAGSTER_PG_DB"}  # fmt: skip


def commands() -> list[dockerfile.Command]:
    return list(dockerfile.parse_file(str(DEPLOY / "Dockerfile")))


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_readme_beyond_one_machine_points_at_existing_files() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Beyond one machine", 1)[1].split("\n## ", 1)[0]
    paths = set(re.findall(r"`((?:deploy|docs|tests)/[\w./-]+)`", section))
    assert {"deploy/dagster.yaml", "deploy/compose.yaml", "deploy/Dockerfile"} <= paths
    missing = [p for p in paths if not (PROJECT_ROOT / p).exists()]
    assert not missing, missing


def test_instance_yaml_reads_postgres_settings_from_the_environment() -> None:
    text = (DEPLOY / "dagster.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    db = config["storage"]["postgres"]["postgres_db"]
    assert {v["env"] for v in db.values() if isinstance(v, dict)} == PG_VARS
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["concurrency"]["pools"]["default_limit"] == 1


def test_dockerfile_copies_only_existing_files() -> None:
    cmds = commands()
    assert cmds[0].cmd == "FROM" and cmds[0].value[0].startswith("python:3.11")
    for copy in (c for c in cmds if c.cmd == "COPY"):
        for source in copy.value[:-1]:
            assert (PROJECT_ROOT / source).exists(), f"{copy.original}: {source} missing"
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    (uv_version,) = re.findall(r"^UV_VERSION := (\S+)$", makefile, flags=re.M)
    assert any(f"uv=={uv_version}" in c.original for c in cmds if c.cmd == "RUN")
    user = [c for c in cmds if c.cmd == "USER"]
    assert user and user[-1].value[0] != "root"


def test_compose_services_fit_together() -> None:
    spec = compose()
    services = spec["services"]
    assert set(services) == SERVICES
    build = services["code"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    for name, service in services.items():
        for dep in service.get("depends_on", {}):
            assert dep in services, f"{name} depends on unknown {dep}"
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in spec["volumes"], volume
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    for name in ("code", "webserver", "daemon"):
        assert set(services[name]["environment"]) >= PG_VARS, name
        assert services[name].get("image") == services["code"]["image"]
    env = services["code"]["environment"]
    assert env["REEKG_EXTERNAL_STORE_URL"].startswith("http://oxigraph:7878/")
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text(encoding="utf-8"))
    grpc = workspace["load_from"][0]["grpc_server"]
    cmd = next(c for c in commands() if c.cmd == "CMD").value
    assert grpc["host"] == "code" and str(grpc["port"]) == cmd[cmd.index("--port") + 1]
    exposed = next(c for c in commands() if c.cmd == "EXPOSE").value
    assert str(grpc["port"]) in exposed
    for name in ("webserver", "daemon"):
        command = services[name]["command"]
        assert command[command.index("--workspace") + 1] == "/opt/dagster/workspace.yaml"
    assert any("deploy/workspace.yaml /opt/dagster/workspace.yaml" in c.original
               for c in commands() if c.cmd == "COPY")  # fmt: skip


@pytest.mark.timeout(420)
def test_image_recipe_builds_and_serves_definitions(tmp_path: Path, postgres: Postgres) -> None:
    """The Dockerfile's steps outside Docker: its COPY sources into a fresh folder, its
    `uv sync` RUN lines (offline, from uv's cache), its CMD on a free port with the instance
    on the real PostgreSQL; the code location then lists the project's repository."""
    app, venv, home = tmp_path / "app", tmp_path / "venv", tmp_path / "dagster"
    app.mkdir()
    home.mkdir()
    shutil.copyfile(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REEKG_", "VIRTUAL_ENV"))}
    env.update(postgres.env, UV_PROJECT_ENVIRONMENT=str(venv), DAGSTER_HOME=str(home),
               REEKG_HOME=str(tmp_path / "reekg"), PYTHONPATH="")  # fmt: skip
    cmds = commands()
    workdir_seen = False
    for c in cmds:
        if c.cmd == "WORKDIR":
            workdir_seen = workdir_seen or c.value[0] == "/opt/reekg/app"
        if c.cmd == "COPY" and workdir_seen and not c.value[-1].startswith("/"):
            for source in c.value[:-1]:
                src, dst = PROJECT_ROOT / source, app / source
                if src.is_dir():
                    shutil.copytree(src, dst)
                else:
                    shutil.copyfile(src, app / Path(source).name)
        if c.cmd == "RUN" and c.original.split(None, 1)[1].startswith("uv sync"):
            argv = [str(UV), *shlex.split(c.original.split(None, 1)[1])[1:], "--offline"]
            done = subprocess.run(argv, cwd=app, env=env, capture_output=True, text=True,
                                  timeout=300)  # fmt: skip
            assert done.returncode == 0, f"{c.original}: {done.stderr[-3000:]}"
    cmd = list(next(c for c in cmds if c.cmd == "CMD").value)
    port = free_port()
    cmd[cmd.index("--port") + 1] = str(port)
    cmd[cmd.index("--host") + 1] = "127.0.0.1"
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    log = (tmp_path / "code.log").open("w")
    server = subprocess.Popen([str(venv / "bin" / cmd[0]), *cmd[1:]], cwd=cwd, env=env,
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        client = DagsterGrpcClient(port=port, host="127.0.0.1")
        deadline = time.monotonic() + 240
        while True:
            assert server.poll() is None, (tmp_path / "code.log").read_text()[-3000:]
            try:
                client.ping("hi")
                break
            except Exception:
                assert time.monotonic() < deadline, "code server did not answer"
                time.sleep(1)
        repos: Any = deserialize_value(client.list_repositories())
        assert hasattr(repos, "repository_symbols"), getattr(repos, "message", repos)
        names = [s.repository_name for s in repos.repository_symbols]
        assert names == ["__repository__"], repos
        assert repos.container_context is None or isinstance(repos.container_context, dict)
        assert Path(repos.executable_path).is_relative_to(venv), repos.executable_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
