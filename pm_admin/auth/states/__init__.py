"""Reflex states of the auth pages (thin: check, call a service or query, show)."""
