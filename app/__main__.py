"""``python -m app`` runs the same entry point as the ``opsconsole`` script."""

from app.cli import main

raise SystemExit(main())
