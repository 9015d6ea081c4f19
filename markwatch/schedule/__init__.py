"""Scheduled sweeps: each target's cron line starts `markwatch sweep run` in its own subprocess."""
