"""Staff edits per item: which document item an edit replaced (a fingerprint of its
value), what it is now, and how (replace, remove, add, or the whole field as before).
A rebuild that changes the fingerprinted value leaves the edit unapplied and flagged
for review instead of masking the document's correction (issue 15).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("catalogue_edits") as batch:
        batch.add_column(sa.Column("op", sa.String(), nullable=True))  # replace | remove | add | field (NULL: field)
        batch.add_column(sa.Column("base_fp", sa.String(), nullable=True))  # fingerprint of the item replaced
        batch.add_column(sa.Column("item_value", sa.Text(), nullable=True))  # the item after the edit (JSON)


def downgrade() -> None:
    with op.batch_alter_table("catalogue_edits") as batch:
        batch.drop_column("item_value")
        batch.drop_column("base_fp")
        batch.drop_column("op")
