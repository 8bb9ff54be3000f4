"""Alembic environment: runs against the URL the caller configured, in SQLite batch mode."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from app.store.deferred_indexes import restore_all
from app.store.migrations import include_object
from app.store.schema import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
if url is None:
    raise RuntimeError("no sqlalchemy.url: run migrations through app.store.migrations.alembic_config()")
connectable = create_engine(url)
with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
        include_object=include_object,
    )
    with context.begin_transaction():
        restore_all(connection)  # indexes a killed sync pass set aside: a migration must find the schema it wrote
        context.run_migrations()
connectable.dispose()
