"""Sweeps: the findings stage. A sweep runs the crawl (crawler/), checks each stored snapshot with the
checker (checker/), reads its images, and stores findings with their evidence; its bookkeeping, views and
cluster workers live here. Above the checker, below the cases (markwatch/cases/)."""
