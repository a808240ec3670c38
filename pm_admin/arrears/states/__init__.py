"""Reflex states of the arrears pages (thin: check, call a service or query, show)."""
