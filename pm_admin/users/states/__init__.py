"""Reflex states of the users pages (thin: check, call a service or query, show)."""
