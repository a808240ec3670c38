"""Alembic environment: the database URL and the models come from pm_admin."""

from alembic import context
from pm_admin import wiring
from pm_admin.core.db import make_engine
from pm_admin.models import metadata
from pm_admin.settings import settings_or_exit

wiring.install()  # make_engine serves the domains only once they are connected
config = context.config
settings = settings_or_exit()  # also keeps the database file private (umask)
database_url = config.attributes.get("database_url") or settings.database_url


def run_migrations_offline() -> None:
    context.configure(url=database_url, target_metadata=metadata, literal_binds=True,
                      render_as_batch=database_url.startswith("sqlite"), compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(database_url)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
