"""The production topology on loopback: nginx in front of backend-only workers, Redis, PostgreSQL.

Built with what production uses (``deploy/scaleout.py``: the page build, the rendered nginx site, the worker
command), on throwaway servers and folders of its own: its pages are built in a Reflex web folder of its own
(``REFLEX_WEB_WORKDIR``), so the checkout's ``.web`` that the other live servers serve is never touched.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from deploy import scaleout
from pm_admin.settings import PROJECT_ROOT, load_settings
from tests.support.database import upgrade
from tests.support.postgres import ThrowawayPostgres
from tests.support.redis_server import ThrowawayRedis
from tests.support.server import free_port, server_environment

SESSION_IDLE_MINUTES = 90
STEP_TIMEOUT = 600  # a fresh machine's first build installs the frontend packages


class ScaleOutStack:
    def __init__(self, root: Path, workers: int = 2) -> None:
        self.root = root
        self.data_dir = root / "data"
        self.nginx_dir = root / "nginx"
        self.web_dir = root / "web"
        self.port = free_port()
        self.worker_ports = [free_port() for _ in range(workers)]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.postgres: ThrowawayPostgres | None = None
        self.redis: ThrowawayRedis | None = None
        self.database_url = ""
        self.processes: list[subprocess.Popen] = []  # everything started, stopped in reverse order
        self.servers: list[subprocess.Popen] = []  # the workers and nginx
        self.timings: dict[str, float] = {}

    def env(self) -> dict[str, str]:
        return {
            **server_environment(self.data_dir, self.database_url),
            "REDIS_URL": self.redis.url,
            "PM_PUBLIC_ORIGINS": f"{self.base_url},http://localhost:{self.port}",
            "PM_TRUSTED_PROXY_HOPS": "1",
            # Above Reflex's hour: the state's lifetime in Redis follows it (rxconfig redis_token_expiration).
            "PM_SESSION_IDLE_MINUTES": str(SESSION_IDLE_MINUTES),
            "REFLEX_WEB_WORKDIR": str(self.web_dir),
        }

    def log(self, name: str):
        return open(self.root / f"{name}.log", "w")

    def _timed(self, name: str, started: float) -> None:
        self.timings[name] = round(time.monotonic() - started, 1)

    def start(self) -> "ScaleOutStack":
        """PostgreSQL and Redis, the schema; then the demo seed (the CLI, into PostgreSQL) while the pages build;
        then the workers and nginx. Stops what it started if a step fails."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        started = time.monotonic()
        self.postgres = ThrowawayPostgres().start()
        self.redis = ThrowawayRedis().start()
        self.database_url = self.postgres.create_database("pm_scale_out")
        upgrade(self.database_url)
        self.data_dir.mkdir(parents=True)
        environ = self.env()
        load_settings(environ)  # the keys, written once: the seed and every worker read the same ones
        self._timed("servers+schema", started)
        seed = subprocess.Popen([sys.executable, "-m", "pm_admin.cli", "seed", "--seed", "2026"], cwd=PROJECT_ROOT,
                                env=environ, stdout=self.log("seed"), stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(seed)
        build = scaleout.build_frontend(environ, f"http://localhost:{self.port}", log=self.log("build"))
        self.processes.append(build)
        self._wait(build, "build")
        self._timed("build", started)
        site = scaleout.render(self.nginx_dir, listen=f"127.0.0.1:{self.port}", worker_ports=self.worker_ports,
                               root=scaleout.static_root(environ))
        self.servers = [scaleout.start_worker(port, environ, self.log(f"worker-{port}"))
                        for port in self.worker_ports]
        self.processes += self.servers
        self._wait(seed, "seed")
        self._timed("seed", started)
        # nginx after the workers answer: it would count their refused connections as failures meanwhile.
        scaleout.wait_until_healthy(None, self.worker_ports, self.servers, timeout=STEP_TIMEOUT)
        self._timed("workers", started)
        nginx = subprocess.Popen(scaleout.nginx_command(self.nginx_dir, scaleout.main_conf(self.nginx_dir, site)),
                                 stdout=self.log("nginx"), stderr=subprocess.STDOUT, start_new_session=True)
        self.servers.append(nginx)
        self.processes.append(nginx)
        scaleout.wait_until_healthy(self.base_url, [], [nginx], timeout=STEP_TIMEOUT)
        self._timed("up", started)

    def _wait(self, process: subprocess.Popen, name: str) -> None:
        try:
            returncode = process.wait(timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            returncode = None
        if returncode != 0:
            raise RuntimeError(f"{name} failed ({returncode}):\n{self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.root / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def logs(self) -> str:
        names = [f"worker-{port}" for port in self.worker_ports] + ["nginx"]
        parts = [f"--- {name} ---\n{self.log_tail(name)}" for name in names]
        error_log = self.nginx_dir / "error.log"
        if error_log.exists():
            parts.append(f"--- nginx error.log ---\n{error_log.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def upstreams_by_token(self) -> dict[str, list[str]]:
        """The worker each event websocket went to, from nginx's access log (written when a socket closes)."""
        found: dict[str, list[str]] = {}
        log = self.nginx_dir / "access.log"
        for line in log.read_text().splitlines() if log.exists() else []:
            match = re.search(r'"GET /_event/\?\S*token=([\w-]+)\S* HTTP/1.1" 101 .* upstream=(\S+)', line)
            if match:
                found.setdefault(match.group(1), []).append(match.group(2))
        return found

    def stop(self) -> None:
        scaleout.stop(reversed(self.processes))
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()
