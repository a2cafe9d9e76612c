"""`python -m etl.cli`: materialize everything headless and print a summary (`make run`)."""

from etl.cli.summary import main

raise SystemExit(main())
