"""What the schema says of the project's own endpoints (``core.api.schema.operation``)."""

from core.api.schema import operation

health = operation(
    "Health check",
    "Anyone (the load balancer): whether this process reaches its database and Redis. `status` "
    "is `ok`; `degraded` (200) while Redis is down: requests are served, throttles let traffic "
    "through and background work waits for the sweeps; `down` (503) while the database is. "
    "`database` names the database server (`postgresql`), `broker` the Celery transport in use. "
    "Answers over plain HTTP even when HTTPS is enforced. Changes nothing.",
    response={"status": "ok", "db": "ok", "database": "postgresql", "redis": "ok", "broker": "redis"},
)
