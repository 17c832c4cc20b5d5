"""Alembic's environment: always run by comply itself, on a connection comply opened.

comply passes the connection (inside its own transaction, holding the store's migration lock)
through `config.attributes["connection"]`; there is no alembic.ini and no offline mode.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
