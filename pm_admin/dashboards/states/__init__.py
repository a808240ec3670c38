"""Reflex states of the dashboards pages (thin: check, call a service or query, show)."""
