"""pm_admin: a back-office for residential property-management companies."""
