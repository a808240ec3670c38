"""The real app served by ``reflex run --env prod --single-port`` on a scratch database."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from pm_admin.settings import PROJECT_ROOT, load_settings
from tests.support.database import copy_sqlite_database, upgrade

START_TIMEOUT = 900  # the first production build of a fresh clone installs the frontend
DATABASE = "server.db"
SECRETS = "secrets.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(data_dir: Path, database_url: str) -> dict[str, str]:
    """The environment of the app's processes in the tests (the server, the CLI that seeds its data)."""
    venv_bin = Path(sys.executable).parent
    bun_bin = PROJECT_ROOT / ".tools" / "bun" / "node_modules" / ".bin"
    environ = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    return {
        **environ,
        "PM_ENV": "test",
        "PM_BCRYPT_ROUNDS": "4",  # sign-ins of the suite and of the demo seed's accounts at bcrypt's cheapest cost
        "PM_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "PATH": f"{bun_bin}:{venv_bin}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }


class DemoData:
    """A data folder as ``make run`` leaves it (secrets, the migrated database with the demo seed 2026, the archive
    scans the seed stores), built once per test session: every server of the session starts on a copy of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.database_url = f"sqlite:///{folder / DATABASE}"
        self.seeded = False
        # The keys come first, so a server can start on them while the data is being seeded.
        load_settings(server_environment(folder, self.database_url))  # writes secrets.json into the folder

    def seed(self) -> None:
        if self.seeded:
            return
        upgrade(self.database_url)
        subprocess.run([sys.executable, "-m", "pm_admin.cli", "seed", "--seed", "2026"],
                       env=server_environment(self.folder, self.database_url), cwd=PROJECT_ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        self.seeded = True

    def copy_secrets_into(self, data_dir: Path) -> None:
        """The personal data in the database is encrypted with these keys: a copy of it needs them."""
        shutil.copy2(self.folder / SECRETS, data_dir / SECRETS)

    def copy_data_into(self, data_dir: Path) -> None:
        self.seed()
        shutil.copytree(self.folder, data_dir, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(f"{DATABASE}*", SECRETS))
        copy_sqlite_database(self.database_url, data_dir / DATABASE)


class ProdServer:
    def __init__(self, data_dir: Path, demo: DemoData, *, redis_url: str | None = None,
                 backend_only: bool = False) -> None:
        self.data_dir = data_dir
        self.demo = demo
        self.redis_url = redis_url
        # A second server must not rebuild the shared .web frontend: it would point the pages
        # at its own port. Backend-only servers serve events and HTTP routes, no pages.
        self.backend_only = backend_only
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{data_dir / DATABASE}"
        self.log_path = data_dir / "server.log"
        self.process: subprocess.Popen | None = None
        self.dispatcher: subprocess.Popen | None = None  # the outbox's, beside the server as `make run` starts it

    def env(self) -> dict[str, str]:
        environ = server_environment(self.data_dir, self.database_url)
        if self.redis_url:
            environ["REDIS_URL"] = self.redis_url
        # Schemathesis sends hundreds of requests with one owner's token; test_api.py checks the budgets themselves.
        return {**environ, "PM_PUBLIC_ORIGINS": f"{self.base_url},http://localhost:{self.port}",
                "PM_API_OWNER_PER_MINUTE": "100000"}

    def start(self) -> "ProdServer":
        """Launch the server (its first start builds the frontend), meanwhile give it a copy of the demo data (its
        first use seeds it), then wait until it answers. It reads the database only for requests and events."""
        self.demo.copy_secrets_into(self.data_dir)
        log = open(self.log_path, "w")
        mode = ["--backend-only", "--backend-port", str(self.port)] if self.backend_only else \
            ["--single-port", "--frontend-port", str(self.port), "--backend-port", str(self.port)]
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod", *mode],
            cwd=PROJECT_ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            self.demo.copy_data_into(self.data_dir)
        except BaseException:
            self.stop()
            raise
        if not self.backend_only:
            self.dispatcher = subprocess.Popen(
                [sys.executable, "-m", "pm_admin.cli", "dispatch", "--poll-interval", "0.2"], cwd=PROJECT_ROOT,
                env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/ping", timeout=2).status_code == 200 and (self.backend_only or httpx.get(
                        f"{self.base_url}/login", timeout=5, follow_redirects=True).status_code == 200):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)  # polls until it answers
        self.stop()
        raise RuntimeError(f"server did not start in {START_TIMEOUT}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.dispatcher and self.dispatcher.poll() is None:
            self.dispatcher.terminate()  # finishes the message in hand and exits
            try:
                self.dispatcher.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.dispatcher.kill()
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


TICKET = re.compile(r'ticket: \\?"([A-Za-z0-9_\-]+)\\?"')


def ticket_from_updates(updates: list[dict]) -> str | None:
    for update in updates:
        for event in update.get("events") or []:
            match = TICKET.search(str(event.get("payload")))
            if match:
                return match.group(1)
    return None


def session_cookie(base_url: str, ticket: str) -> str:
    """Trade a login ticket at /auth/session exactly as the browser does; returns a Cookie header."""
    response = httpx.post(f"{base_url}/auth/session", json={"ticket": ticket})
    response.raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in response.cookies.items())
