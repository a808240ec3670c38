"""Communications with owners: notices and emergencies with acknowledgement (seed 001 06, 002 §3.1 §3.4)."""
