"""Reflex states of the meeting pages."""
