"""Inspector cases: lifecycle, audit chain, waivers, API keys, self-checks, sweep ingest."""
