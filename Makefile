# pm_admin — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
BUN_DIR := .tools/bun
BUN := $(BUN_DIR)/node_modules/.bin/bun
BUN_VERSION := 1.4.4
# Reflex cannot download bun here; it uses the project-local one from npm.
export PATH := $(CURDIR)/$(BUN_DIR)/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false

# The first interpreter that really is Python 3.12 (pyenv shims may exist without the version).
PYTHON312 := $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)

# Where `make run` listens. Loopback by default (the demo password is published); HOST=0.0.0.0 for a LAN
# or a reverse proxy on another machine, then PM_PUBLIC_ORIGINS=http://<address>:<port> (the address browsers
# use: the event websocket refuses pages of any other origin).
HOST ?= 127.0.0.1
PORT ?= 3000
# WORKERS=n (n > 1): n backend workers on ports PORT+1…PORT+n behind nginx on PORT, sharing state through Redis
# (REDIS_URL required); see deploy/README.md. WORKERS=1 (the default) is the single server.
WORKERS ?= 1
export PM_PUBLIC_ORIGINS ?= http://localhost:$(PORT),http://127.0.0.1:$(PORT)

APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run test test-fast lint deps test-deps system-test-deps migrate bootstrap serve check-workers clean

help:
	@echo "make run   - install everything, migrate, load demo data if empty (not in production), serve on http://localhost:3000"
	@echo "             with the outbox dispatcher beside the server"
	@echo "             (WORKERS=n with REDIS_URL: n backend workers behind nginx, see deploy/README.md)"
	@echo "make test  - install what tests need and run unit, migration, PostgreSQL and browser tests"
	@echo "make lint  - ruff and the import layers"
	@echo "make test-fast - unit, database and migration tests on SQLite only (no PostgreSQL, server or browser): the edit loop"

$(PY):
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (python3.12)"; exit 1; }
	$(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.deps: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.deps
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(BUN):
	mkdir -p $(BUN_DIR)
	cd $(BUN_DIR) && npm install --no-audit --no-fund --loglevel=error bun@$(BUN_VERSION)

deps: $(VENV)/.deps $(BUN)

test-deps: $(VENV)/.test-deps $(BUN) system-test-deps

# Debian packages the tests need: a browser, a CJK font, PostgreSQL and Redis servers, nginx (the scale-out test).
system-test-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi -e "wenquanyi" -e "noto sans cjk" || missing="$$missing fonts-wqy-microhei"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) $(APT_GET) update >/dev/null && $(SUDO) $(APT_GET) install --no-install-recommends $$missing >/dev/null \
		|| echo "WARNING: could not install$$missing; PostgreSQL and scale-out tests will be skipped with a notice, browser tests will fail"; \
	fi

migrate: $(VENV)/.deps
	$(VENV)/bin/alembic upgrade head

# First admin (password printed once) and demo data when the database is empty. With PM_ENV=production
# the seed loads no demo accounts (their password is published) and prints demo logins only if they exist.
bootstrap: migrate
	$(PY) -m pm_admin.cli create-admin
	$(PY) -m pm_admin.cli seed --if-empty

# Several workers need Redis (their shared state) and nginx (in front): said before anything is installed or migrated.
check-workers:
	@case "$(WORKERS)" in ''|*[!0-9]*|0) echo "WORKERS must be a whole number of at least 1 (got '$(WORKERS)')"; exit 2;; esac
	@if [ "$(WORKERS)" -gt 1 ] && [ -z "$$REDIS_URL" ]; then \
		echo "make run WORKERS=$(WORKERS): the workers share their state through Redis; set REDIS_URL," \
			"e.g. REDIS_URL=redis://127.0.0.1:6379/0 (apt-get install redis-server)"; exit 2; fi
	@if [ "$(WORKERS)" -gt 1 ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		echo "make run WORKERS=$(WORKERS): nginx serves the pages in front of the workers (apt-get install nginx)"; exit 2; fi

# The outbox dispatcher runs beside the server (its own session, so Ctrl-C reaches it once, as the SIGTERM sent when
# the server stops: it finishes the message in hand and exits). Two dispatchers at once are safe, if one is left over.
serve: deps
ifeq ($(WORKERS),1)
	@echo "pm_admin: http://localhost:$(PORT)"
	@setsid $(PY) -m pm_admin.cli dispatch & dispatcher=$$!; \
	trap 'kill -TERM $$dispatcher 2>/dev/null; wait $$dispatcher' EXIT; \
	$(VENV)/bin/reflex run --env prod --single-port --backend-host $(HOST) --frontend-port $(PORT) --backend-port $(PORT)
else
	$(PY) -m deploy.scaleout run --workers $(WORKERS) --host $(HOST) --port $(PORT)
endif

run: check-workers deps bootstrap serve

test: test-deps lint
	$(PY) -m pytest -q -ra

# Style and layers: ruff, and the import-linter contracts in pyproject.toml (also a unit test).
lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check pm_admin tests bench alembic deploy
	$(VENV)/bin/lint-imports

# The edit loop (under 2 minutes): no PostgreSQL, no server, no browser. `make test` stays what CI runs.
test-fast: $(VENV)/.test-deps
	$(PY) -m pytest -q -ra tests/unit tests/db tests/test_migrations.py -k "not postgresql"

clean:
	rm -rf .web .states .run $(VENV) .tools test-artifacts
