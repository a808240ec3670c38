"""The ticket desk's writes: registration, the named workflow actions, plans and replies, callbacks, settings.

Every change writes a timeline event and an audit record in the caller's transaction.
"""
