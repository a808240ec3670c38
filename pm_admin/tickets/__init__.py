"""Ticket desk: complaints, requests and repairs, SLA clocks, callbacks and daily review."""
