"""Django's PostgreSQL backend, with a health check of kept connections that costs no
round trip while nothing has arrived on the connection.

Django checks a connection kept from an earlier request (CONN_HEALTH_CHECKS) by running
``SELECT 1`` before the request's first statement: a round trip on every request. An idle
connection receives nothing unless the server ends it: a restart, a failover,
``pg_terminate_backend`` or ``idle_session_timeout`` send a FATAL message and close the
socket. So when the socket has nothing to read, libpq holds the connection as good and no
transaction is open, the connection is taken as usable; otherwise Django's own check runs
and replaces a connection that fails it. What this misses, a server host that vanished
without closing its sockets, Django's check would only find by waiting for TCP to give up;
the request then fails with the 503 "try again" page (config.outage) and the connection is
replaced for the next one.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self.is_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def is_quiet(self) -> bool:
        """Whether the open connection is idle, held as good by libpq, and has received
        nothing since its last statement. Reads nothing from the socket."""
        pgconn = self.connection.pgconn
        if (
            self.connection.closed
            or pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
        ):
            return False
        try:
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError, base.Database.Error):
            return False
