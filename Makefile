# The two set-up commands: `make run` and `make test` (README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# What `make run` installs (the service, its process runner, the embedded PostgreSQL) and what
# the tests, lint and benchmarks add; each install is stamped with its files' checksum.
RUN_REQUIREMENTS := requirements.txt requirements-local.txt
DEV_REQUIREMENTS := $(RUN_REQUIREMENTS) requirements-dev.txt
RUN_STAMP := $(VENV)/.installed-run-$(shell cat $(RUN_REQUIREMENTS) | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat $(DEV_REQUIREMENTS) | cksum | cut -d' ' -f1)
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
# make run says what it installs, and then only what fails (not the warnings of a machine's pip set-up)
PIP_QUIET := $(PIP) --quiet

# make test talks to real servers; these are the defaults on a developer machine and CI.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/marketplace
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

# Plain HTTP on this machine: the transport-security settings that are on by default (DEBUG
# off) are switched off for `make run` and `make test` only, and the sandbox gateway chosen.
PLAIN_HTTP = SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0} \
	CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-0} SECURE_HSTS_SECONDS=$${SECURE_HSTS_SECONDS:-0} \
	PAYMENT_PROVIDER=$${PAYMENT_PROVIDER:-sandbox}

.PHONY: venv venv-run run test lint format bench chaos clean chromium fonts nginx

# A developer's virtual environment: everything (running, tests, lint, benchmarks).
venv: $(DEV_STAMP)
# What `make run` needs, nothing more (a superset, the developer's, will do).
venv-run: $(RUN_STAMP)

$(RUN_STAMP): $(RUN_REQUIREMENTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing requirements.txt and requirements-local.txt into $(VENV), a minute or two / 正在安装运行所需的包，约一两分钟"
	@$(PIP_QUIET) -r requirements-local.txt
	@rm -f $(VENV)/.installed-run-*
	@touch $@

$(DEV_STAMP): $(DEV_REQUIREMENTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@ $(RUN_STAMP)

# Serves the API on http://127.0.0.1:8000 with a Celery worker and beat, in the foreground,
# until Ctrl-C (bin/run). With no DATABASE_URL it starts an embedded PostgreSQL under var/;
# with no REDIS_URL Celery uses kombu's filesystem broker under var/broker/.
run: venv-run fonts
	@$(BIN)/python bin/run

test: venv chromium fonts nginx
	$(PLAIN_HTTP) DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} SECRET_KEY=$${SECRET_KEY:-test-secret-key-for-the-test-run-only-0123456789} \
		$(BIN)/python -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PLAIN_HTTP) DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		SECRET_KEY=$${SECRET_KEY:-test-secret-key-for-the-test-run-only-0123456789} $(BIN)/pytest $(PYTEST_ARGS)

# The admin browser test drives Debian's Chromium (Playwright cannot download its own here).
chromium:
	@test -x /usr/bin/chromium || { echo "Installing chromium for the admin browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; } \
		|| { echo "FATAL: /usr/bin/chromium is missing and could not be installed (apt-get install chromium)"; exit 1; }

# The reverse-proxy test runs deploy/nginx.conf for real in front of the web process.
nginx:
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null || { echo "Installing nginx for the reverse-proxy test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) >/dev/null; } \
		|| { echo "FATAL: nginx is missing and could not be installed (apt-get install nginx-light)"; exit 1; }

# The dashboard's charts draw Chinese with a CJK font (Debian's WenQuanYi Micro Hei, 5 MB);
# without one they still draw, with the English half of each label, and log a warning.
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { echo "Installing a CJK font for the dashboard's charts"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fontconfig fonts-wqy-microhei) >/dev/null; } \
		|| echo "WARNING: no CJK font (apt-get install fonts-wqy-microhei); charts will show English labels only"

# ruff, and import-linter's layer contract (pyproject.toml): an upward or cyclic import
# between apps, function-local ones included, fails here.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv
	@for script in bench/matching_solver.py bench/matching.py bench/shards.py bench/board.py bench/desk.py bench/fanout.py bench/accept_under_dispatch.py bench/realtime.py bench/endpoints.py bench/mix_cpu.py bench/load.py; do \
		echo "== $$script"; \
		$(PLAIN_HTTP) DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
			SECRET_KEY=$${SECRET_KEY:-bench-secret-key} $(BIN)/python $$script || exit 1; \
	done

# Fault injection on a private PostgreSQL and Redis at the default settings (bench/chaos.py): about 15 minutes.
chaos: venv
	$(BIN)/python bench/chaos.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
