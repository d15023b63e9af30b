"""hall rollups: usage summed per hall, so the dashboard reads ~1/60 of the rows

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 08:06:38.177075

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('usage_hall_counts',
    sa.Column('hall', sa.String(length=128), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'day', 'hour', 'service_id', 'metric')
    )
    with op.batch_alter_table('usage_hall_counts', schema=None) as batch_op:
        batch_op.create_index('ix_usage_hall_counts_day', ['day'], unique=False)

    op.create_table('usage_hall_times',
    sa.Column('hall', sa.String(length=128), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'day', 'hour', 'service_id', 'seconds')
    )
    with op.batch_alter_table('usage_hall_times', schema=None) as batch_op:
        batch_op.create_index('ix_usage_hall_times_day', ['day'], unique=False)

    # what terminals reported before this migration
    op.execute("INSERT INTO usage_hall_counts (hall, day, hour, service_id, metric, count) "
               "SELECT hall, day, hour, service_id, metric, sum(count) FROM usage_counts "
               "GROUP BY hall, day, hour, service_id, metric")
    op.execute("INSERT INTO usage_hall_times (hall, day, hour, service_id, seconds, count) "
               "SELECT hall, day, hour, service_id, seconds, sum(count) FROM usage_times "
               "GROUP BY hall, day, hour, service_id, seconds")


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('usage_hall_times', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_hall_times_day')

    op.drop_table('usage_hall_times')
    with op.batch_alter_table('usage_hall_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_hall_counts_day')

    op.drop_table('usage_hall_counts')
