"""The dashboards pages: components only (pm_admin.pages registers them inside the shell's frame)."""
