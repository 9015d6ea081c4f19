"""JSON Schemas of the documents markwatch writes (check --format json: check-v2.schema.json)."""
