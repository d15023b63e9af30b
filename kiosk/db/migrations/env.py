"""Alembic environment for the staff state database.

Run programmatically by kiosk.staff.state (a connection is passed in
config.attributes["connection"]); with the alembic command line, set
sqlalchemy.url (e.g. `alembic -x url=sqlite:////path/state.sqlite ...`).
"""

from alembic import context
from sqlalchemy import create_engine

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, render_as_batch=True, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        if not url:
            raise SystemExit("alembic: no database url (give -x url=… or sqlalchemy.url)")
        engine = create_engine(url)
        with engine.connect() as conn:
            _run(conn)
        engine.dispose()
