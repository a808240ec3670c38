"""Reflex states of the owners pages (thin: check, call a service or query, show)."""
