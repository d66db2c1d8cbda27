# The two set-up commands: `make run` and `make test` (README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)

# make test talks to real servers; these are the defaults on a developer machine and CI.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/marketplace
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

# Plain HTTP on this machine: the transport-security settings that are on by default (DEBUG
# off) are switched off for `make run` and `make test` only, and the sandbox gateway chosen.
PLAIN_HTTP = SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0} \
	CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-0} SECURE_HSTS_SECONDS=$${SECURE_HSTS_SECONDS:-0} \
	PAYMENT_PROVIDER=$${PAYMENT_PROVIDER:-sandbox}

# A local secret key is generated once under var/ unless SECRET_KEY is set.
RUN_ENV = SECRET_KEY="$${SECRET_KEY:-$$(cat var/dev-secret-key)}" $(PLAIN_HTTP)

.PHONY: venv run test lint format bench chaos clean chromium fonts

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

# Serves the API on http://127.0.0.1:8000 with a Celery worker and beat, in the foreground,
# until Ctrl-C. With no DATABASE_URL / REDIS_URL it runs on a SQLite file and kombu's
# filesystem broker under var/.
run: venv fonts
	@mkdir -p var && test -s var/dev-secret-key || \
		$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/dev-secret-key
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py board_rebuild
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving http://127.0.0.1:8000 (API /api/v1/, docs /api/docs/, admin /admin/); Ctrl-C stops everything."
	@# Ctrl-C is the normal way to stop: bin/procfile (honcho) gives every process time to stop
	@# warmly and exits 0.
	$(RUN_ENV) PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python bin/procfile start --no-prefix -f Procfile

test: venv chromium fonts
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
	@for script in bench/matching_solver.py bench/matching.py bench/shards.py bench/board.py bench/realtime.py bench/endpoints.py bench/mix_cpu.py bench/load.py; do \
		echo "== $$script"; \
		$(PLAIN_HTTP) DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
			SECRET_KEY=$${SECRET_KEY:-bench-secret-key} $(BIN)/python $$script || exit 1; \
	done

# Fault injection on a private PostgreSQL and Redis at the default settings (bench/chaos.py): about 15 minutes.
chaos: venv
	$(BIN)/python bench/chaos.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
