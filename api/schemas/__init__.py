"""Response and request models of the HTTP API, one module per resource."""
