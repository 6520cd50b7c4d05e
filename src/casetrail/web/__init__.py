"""Server-rendered web UI: Jinja2 templates, HTML forms and one stylesheet."""
