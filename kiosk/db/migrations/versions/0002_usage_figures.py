"""Usage figures: aggregated counters per day, hour, region and service, and a
histogram of the seconds to the checklist (no sessions, no answers, no personal data).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "usage_counts",
        sa.Column("day", sa.String(), primary_key=True),  # YYYY-MM-DD, local time
        sa.Column("hour", sa.Integer(), primary_key=True),  # 0..23
        sa.Column("region", sa.String(), primary_key=True),
        sa.Column("service_id", sa.String(), primary_key=True),  # "" = no service chosen
        sa.Column("metric", sa.String(), primary_key=True),  # session | checklist | abandoned | print | printer_fault
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "checklist_times",
        sa.Column("day", sa.String(), primary_key=True),
        sa.Column("hour", sa.Integer(), primary_key=True),
        sa.Column("region", sa.String(), primary_key=True),
        sa.Column("service_id", sa.String(), primary_key=True),
        sa.Column("seconds", sa.Integer(), primary_key=True),  # whole seconds from start to checklist
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("checklist_times")
    op.drop_table("usage_counts")
