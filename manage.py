#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    # A command is one process doing one thing: one connection held for its run, no pool (whose
    # background retries would also keep a command waiting 5 s for a database that is down).
    os.environ.setdefault("DATABASE_POOL", "0")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # Configuration a person must fix: one line that says what, not a traceback.
        sys.exit(f"manage.py: {_no_database(error) or error}")
    except OperationalError as error:
        unreachable = _unreachable(error)
        if unreachable is None:
            raise
        sys.exit(f"manage.py: {unreachable}")


def _no_database(error) -> str | None:
    from django.conf import settings

    from marketplace.settings_database import NO_DATABASE

    if settings.configured and settings.DATABASES.get("default", {}).get("ENGINE") == "django.db.backends.dummy":
        return NO_DATABASE
    return None


def _unreachable(error) -> str | None:
    """One line for a database that does not answer at all (nothing listening, wrong password),
    or None for any other database error (a traceback is then what helps)."""
    from django.conf import settings
    from django.db import connection

    if connection.connection is not None:  # it was reached: a real error, not an address problem
        return None
    where = f"{connection.settings_dict.get('HOST') or 'localhost'}:{connection.settings_dict.get('PORT') or 5432}"
    cause = str(error.__cause__ or error).strip().splitlines()[0]
    if settings.LOCAL_ENV_READ:
        return (
            f"make run's embedded PostgreSQL ({where}) is not running: start `make run` first ({cause}) / "
            f"make run 的内嵌 PostgreSQL（{where}）未运行：请先启动 make run"
        )
    return (
        f"the database at {where} does not answer ({cause}); check DATABASE_URL / "
        f"数据库 {where} 无应答，请检查 DATABASE_URL"
    )


if __name__ == "__main__":
    main()
