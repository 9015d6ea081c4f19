"""Crawl tables: snapshot bodies, snapshots, sweeps, sweep pages, findings."""
