"""Crawl tables: snapshot bodies, snapshots, sweeps, sweep pages and the URL ledger."""
