"""health: maintenance windows, probe expectations, certificate expiry, incident handling, draft dismissals

Checks become unique per (service, instant, source) so sync upserts them; a
cache holding duplicates from before keeps the newest row of each.

Revision ID: 0013
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("service_id", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maintenance_windows_service_id"), ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_maintenance_windows_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_maintenance_windows_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_maintenance_windows_updated_at"), ["updated_at"], unique=False)
    op.create_table(
        "incident_draft_dismissals",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("service_id", sa.String(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keyword", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("json_path", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("json_value", sa.String(), nullable=True))
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("impact", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("affected_services_json", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("postmortem_json", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Plain ALTERs (no table copy): the checks table can hold millions of rows.
    op.add_column("health_checks", sa.Column("cert_expires_at", sa.DateTime(), nullable=True))
    op.execute(
        "DELETE FROM health_checks WHERE id NOT IN "
        "(SELECT max(id) FROM health_checks GROUP BY service_id, checked_at, source)"
    )
    op.drop_index("ix_health_checks_service_time", table_name="health_checks")
    op.create_index(
        "uq_health_checks_service_time_source", "health_checks", ["service_id", "checked_at", "source"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_health_checks_service_time_source", table_name="health_checks")
    op.create_index("ix_health_checks_service_time", "health_checks", ["service_id", "checked_at"], unique=False)
    op.drop_column("health_checks", "cert_expires_at")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("pending")
        batch_op.drop_column("postmortem_json")
        batch_op.drop_column("affected_services_json")
        batch_op.drop_column("impact")
        batch_op.drop_column("acknowledged_by")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("json_value")
        batch_op.drop_column("json_path")
        batch_op.drop_column("keyword")
    op.drop_table("incident_draft_dismissals")
    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_windows_updated_at"))
        batch_op.drop_index(batch_op.f("ix_maintenance_windows_ends_at"))
        batch_op.drop_index(batch_op.f("ix_maintenance_windows_starts_at"))
        batch_op.drop_index(batch_op.f("ix_maintenance_windows_service_id"))
    op.drop_table("maintenance_windows")
