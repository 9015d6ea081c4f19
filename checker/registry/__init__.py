"""The registry of 上海标准 designations: tables, import, status and in-memory lookups."""

from checker.registry.importer import FieldChange, ImportReport, import_registry_file
from checker.registry.index import RegistryIndex
from checker.registry.models import (
    ChangeAction,
    Designation,
    DesignationChange,
    DesignationHolder,
    DesignationType,
    ImportBatch,
)
from checker.registry.records import CodeLookup, DesignationRecord, Holder
from checker.registry.sources import MAX_FILE_BYTES
from checker.registry.status import DesignationStatus, status_on

__all__ = [
    "MAX_FILE_BYTES",
    "ChangeAction",
    "CodeLookup",
    "Designation",
    "DesignationChange",
    "DesignationHolder",
    "DesignationRecord",
    "DesignationStatus",
    "DesignationType",
    "FieldChange",
    "Holder",
    "ImportBatch",
    "ImportReport",
    "RegistryIndex",
    "import_registry_file",
    "status_on",
]
