"""usage figures only the Ops API can count: MAU, sessions, 30-day retention, NPS answers, feature adoption

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

_USAGE = (
    ("monthly_active_users", sa.Integer()),
    ("avg_session_minutes", sa.Float()),
    ("retention_cohort_users", sa.Integer()),
    ("retention_cohort_retained", sa.Integer()),
    ("nps_promoters", sa.Integer()),
    ("nps_passives", sa.Integer()),
    ("nps_detractors", sa.Integer()),
)
_FLAGS = (("users_with_access", sa.Integer()), ("active_users_30d", sa.Integer()))


def upgrade() -> None:
    with op.batch_alter_table("usage_daily", schema=None) as batch_op:
        for name, kind in _USAGE:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("feature_flags", schema=None) as batch_op:
        for name, kind in _FLAGS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feature_flags", schema=None) as batch_op:
        for name, _ in reversed(_FLAGS):
            batch_op.drop_column(name)
    with op.batch_alter_table("usage_daily", schema=None) as batch_op:
        for name, _ in reversed(_USAGE):
            batch_op.drop_column(name)
