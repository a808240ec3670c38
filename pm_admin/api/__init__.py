"""The REST API ``/api/v1``: owners (a WeChat mini-program, an app) and integrations (a call centre, a BI tool)."""
