"""Alembic environment of the fleet service (separate from kiosk/db/migrations).

Run programmatically by kiosk.fleet.db.upgrade (a connection in
config.attributes["connection"]); with the alembic command line pass -x url=....
"""

from alembic import context
from sqlalchemy import create_engine

from kiosk.fleet.models import Base

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("alembic: no database url (give -x url=… or sqlalchemy.url)")
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
