"""Reflex states of the surveys pages (thin: check, call a service or query, show)."""
