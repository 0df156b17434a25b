"""``python -m speaker`` runs the ``encore`` program."""

from speaker.cli import main

raise SystemExit(main())
