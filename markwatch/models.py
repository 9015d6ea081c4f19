"""Imports every module that defines tables, so Base.metadata is complete (Alembic, tests)."""

from __future__ import annotations

import importlib

# Explicit list, in migration order; each area owns its own models module.
MODEL_MODULES = (
    "checker.registry.models",
    "crawler.store.models",
    "sweeps.models",
    "markwatch.cases.models",
    "markwatch.cases.audit_models",
    "markwatch.cases.sessions",
    "markwatch.schedule.models",
    "crawler.images.models",
    "checker.images.store",
)

for _name in MODEL_MODULES:
    importlib.import_module(_name)
