"""The owner side: owner accounts and sessions, the phone-sized portal, and what owners do there."""
