"""Alembic migrations of the history store, shipped inside the package and run on open."""
