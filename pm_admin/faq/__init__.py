"""The FAQ assistant 常见问题自动回复 (seed 001 §07.2, issue 16): a knowledge base per community, offline matching and
the query log staff turn into new entries."""
