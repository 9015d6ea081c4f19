"""The HTTP API (FastAPI): build it with `api.app.create_app(settings)`, serve it with `markwatch serve`."""
