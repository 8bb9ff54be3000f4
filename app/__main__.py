"""``python -m app`` runs the same entry point as the ``opsconsole`` script."""

from __future__ import annotations

from app.cli import main

raise SystemExit(main())
