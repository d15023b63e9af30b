"""Staff state: settings (PIN hash, lockout) and the catalogue edits with their audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "catalogue_edits",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(), nullable=False),  # ISO 8601 local time with offset
        sa.Column("who", sa.String(), nullable=False),  # staff name entered at login
        sa.Column("source", sa.String(), nullable=False),  # staff edit | xlsx import | revert
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("service_id", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),  # materials | channels | time_limit | ...
        sa.Column("old_value", sa.Text(), nullable=True),  # JSON of the value shown before this edit
        sa.Column("old_was_base", sa.Boolean(), nullable=False),  # that value was the built catalogue's
        sa.Column("new_value", sa.Text(), nullable=True),  # JSON; NULL = back to the built catalogue
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("reverts", sa.Integer(), nullable=True),  # the edit this one reverts
        sa.Column("reverted_by", sa.Integer(), nullable=True),
    )
    op.create_index("ix_catalogue_edits_subject", "catalogue_edits", ["region", "service_id", "field"])


def downgrade() -> None:
    op.drop_index("ix_catalogue_edits_subject", table_name="catalogue_edits")
    op.drop_table("catalogue_edits")
    op.drop_table("settings")
