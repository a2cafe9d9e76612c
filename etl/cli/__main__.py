"""`python -m etl.ops`: materialize everything headless and print a summary (`make run`)."""

from etl.ops.summary import main

raise SystemExit(main())
