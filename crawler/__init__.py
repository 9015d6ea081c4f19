"""Scrapy project: polite crawling, immutable snapshots, sweeps that feed the checker."""
