"""Spiders: generic site spider and adapter-driven marketplace spider."""
