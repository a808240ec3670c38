"""Reflex states of the home pages (thin: check, call a service or query, show)."""
