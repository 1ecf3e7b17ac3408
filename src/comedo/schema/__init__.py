"""The versioned analysis JSON: one document for files, the web API and the store.

``to_document`` writes it once per analysis, ``from_document`` reads a stored one back (every schema version
since 1.0); the field names are a contract (docs/json.md); add fields freely, never rename. ``comedo schema``
prints the JSON Schema, also kept in ``docs/analysis.schema.json``.
"""

from __future__ import annotations

from comedo.schema.models import (
    DISCLAIMER,
    SCHEMA_VERSION,
    AnalysisDocument,
    TriageDocument,
)
from comedo.schema.read import from_document
from comedo.schema.write import report_document, to_document

__all__ = ["SCHEMA_VERSION", "DISCLAIMER", "AnalysisDocument", "TriageDocument", "to_document", "from_document",
           "report_document"]
