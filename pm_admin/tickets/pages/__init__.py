"""Ticket desk pages."""
