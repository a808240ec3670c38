"""Reflex states of the places pages (thin: check, call a service or query, show)."""
