"""Server-rendered web UI (Jinja2), static assets and the service worker."""
