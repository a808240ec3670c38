"""Shared building blocks: database, clock, errors, permissions, i18n, audit hooks."""
