"""Code location of the daemon test: the project's definitions with the ops policies applied.

`apply_operations` is idempotent, so this stays right once `etl.definitions` applies it too.
"""

from etl.definitions import build_defs
from etl.ops.automation import apply_operations

defs = apply_operations(build_defs())
