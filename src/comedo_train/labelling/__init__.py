"""Per-lesion labels for close-ups, made by eye (issue 31, item 1).

A labeller (a person or an AI that can look at PNG images) works from sheets: each photo drawn raw with a
coordinate grid beside the same photo with numbered candidate rings that three proposers found (the packaged
lesion detector at a low threshold, the blackhead plug finder, a multi-scale blob finder). The labeller keeps or
drops each candidate, adds what they missed by position, and names each lesion's type from the codebook
(``docs/labelling/codebook.md``). The decisions are a plain TSV; ``convert`` checks them and writes COCO.

Commands (``python -m comedo_train.labelling --help``): ``select``, ``sheets``, ``convert``, ``agree``,
``shuffle``, ``examples``.
"""

from comedo_train.labelling.vocab import CODEBOOK_VERSION, GROUP_OF, STATUSES, TYPES

__all__ = ["CODEBOOK_VERSION", "GROUP_OF", "STATUSES", "TYPES"]
