"""Alembic migrations of the staff state database (state.sqlite), not of the catalogue.

The catalogue (catalogue.sqlite) is rebuilt from seed/ and swapped whole, so it has no
migrations; the staff state (PIN, catalogue edits and their audit trail, usage figures)
lives on across rebuilds and is upgraded in place by kiosk.staff.state.open_state(),
programmatically, at start-up. New revision: copy the newest file in versions/, bump
`revision`/`down_revision`, write upgrade() and downgrade() with alembic.op.
"""
