"""Room archives 业主档案 (seed 001 4.4.1): the catalog and its numbers, entries and their scans, access requests
and grants, and the change record that follows the owner registry."""
