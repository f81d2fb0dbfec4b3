from srojournal.cli import main

raise SystemExit(main())
