"""The outbox: every message to an owner or a staff member, written with its cause, delivered by the dispatcher."""
