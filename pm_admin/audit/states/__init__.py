"""Reflex states of the audit pages (thin: check, call a service or query, show)."""
