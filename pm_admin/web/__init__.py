"""The app's HTTP edge: the event guard middleware, file routes, security headers."""
