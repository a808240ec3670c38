"""Reflex states of the census pages (thin: check, call a service or query, show)."""
