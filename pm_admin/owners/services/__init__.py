"""The owner registry's writes: validated owner input, owners and their rooms, household members and occupants,
bulk actions, revealing personal data. Every change is scoped, audited and kept in the owner's history."""
