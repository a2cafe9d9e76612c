"""Clean failure output: a failed blocking check is one line in `make run`'s summary, no stack
trace reaches the terminal, the full log is in the file whose path is printed, exit non-zero."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from etl.settings import BUNDLED_DATA
from tests.ops.helpers import deployment, make_run

QUOTAS = "capacity/china_re_quotas_2015_2023.csv"


def test_failed_check_is_one_line_and_the_log_file_has_the_rest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATA, data)
    text = (data / QUOTAS).read_text(encoding="utf-8")
    needle = "2023,1,group,China Rare Earth Group,all,smelting_separation,33304,"
    assert needle in text
    bad = needle.replace(",33304,", ',"333,040",')
    (data / QUOTAS).write_text(text.replace(needle, bad), encoding="utf-8")
    run = make_run(deployment(tmp_path, data))
    terminal = run.stdout + run.stderr
    assert run.returncode != 0
    assert "Traceback" not in terminal and "Stack Trace" not in terminal, terminal[-3000:]
    failed = [line for line in terminal.splitlines() if line.startswith("  FAILED ")]
    assert len(failed) == 1, terminal[-3000:]
    assert "holder_within_batch_total" in failed[0] and "333,040 t" in failed[0]
    match = re.search(r"^Full log: (.+)$", run.stdout, re.MULTILINE)
    assert match, run.stdout[-2000:]
    log = Path(match[1]).read_text(encoding="utf-8")
    assert "DagsterAssetCheckFailedError" in log  # the detail is kept, in the file
