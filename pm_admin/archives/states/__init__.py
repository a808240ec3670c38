"""Reflex states of the archives pages (thin: check, call a service or query, show)."""
