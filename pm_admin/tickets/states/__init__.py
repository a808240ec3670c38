"""Reflex states of the tickets pages (thin: check, call a service or query, show)."""
