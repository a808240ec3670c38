"""Meeting pages."""
