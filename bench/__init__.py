"""Benchmarks: each module has `run() -> dict` and prints figures beside a baseline measured in the same run."""
