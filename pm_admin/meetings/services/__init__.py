"""Every write of the meetings domain: permission, community scope, validation, the write, the audit."""
