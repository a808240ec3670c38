"""Test configuration: throwaway databases (SQLite and PostgreSQL), rolled-back sessions."""

from __future__ import annotations

import os
import tempfile

# Settings are read once per process: point them at a scratch data dir before pm_admin loads.
_SCRATCH = tempfile.mkdtemp(prefix="pm_admin_test_")
os.environ["PM_ENV"] = "test"
# bcrypt's cheapest cost, which only PM_ENV=test accepts: the suite hashes and checks passwords hundreds of times.
os.environ["PM_BCRYPT_ROUNDS"] = "4"
os.environ["PM_DATA_DIR"] = _SCRATCH
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_SCRATCH}/default.db")

import pytest  # noqa: E402

from pm_admin import wiring  # noqa: E402
from pm_admin.core.db import make_engine  # noqa: E402
from tests.support.database import rolled_back_session, upgrade  # noqa: E402
from tests.support.postgres import PostgresUnavailable, ThrowawayPostgres  # noqa: E402

wiring.install()

BACKENDS = ("sqlite", "postgresql")


class SessionPostgres:
    """The session's PostgreSQL cluster, started when a test first asks for a database on it: a run of SQLite tests
    only (``make test-fast``) never starts one."""

    def __init__(self) -> None:
        self.cluster: ThrowawayPostgres | None = None
        self.unavailable: str | None = None

    def create_database(self, name: str) -> str:
        if self.cluster is None and self.unavailable is None:
            try:
                self.cluster = ThrowawayPostgres().start()
            except PostgresUnavailable as error:
                self.unavailable = str(error)
        if self.unavailable is not None:
            pytest.skip(f"PostgreSQL unavailable on this machine: {self.unavailable}")
        return self.cluster.create_database(name)

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


@pytest.fixture(scope="session")
def postgres():
    postgres = SessionPostgres()
    yield postgres
    postgres.stop()


def database_url(backend: str, name: str, postgres: SessionPostgres, tmp_path_factory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp(name)}/{name}.db"
    return postgres.create_database(name)


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request, postgres, tmp_path_factory):
    """A migrated database per backend, shared by the session (tests roll back)."""
    url = database_url(request.param, "pm_test", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with rolled_back_session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory):
    """The demo data the servers of the session start on, seeded once (by the first server that starts)."""
    from tests.support.server import DemoData

    return DemoData(tmp_path_factory.mktemp("demo_data"))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, demo_data):
    """The app in production mode on a copy of the demo data (shared by server and browser tests)."""
    from tests.support.server import ProdServer

    server = ProdServer(tmp_path_factory.mktemp("live_server"), demo_data).start()
    yield server
    server.stop()
