"""The codebook's words: its version, the lesion types, their groups and the photo statuses.

They go into every decision file and into the COCO output, so they are stable lowercase strings."""

from __future__ import annotations

from pathlib import Path

CODEBOOK_VERSION = "codebook-v1"

ACNE_TYPES = ("open_comedo", "closed_comedo", "papule", "pustule", "nodule", "cyst")
LOOKALIKES = ("milium", "syringoma", "flat_wart", "keloid", "folliculitis")
TYPES = (*ACNE_TYPES, *LOOKALIKES, "unsure")

# Groups for agreement (Cohen's kappa on groups) and for the COCO categories' supercategory.
GROUP_OF = {
    "open_comedo": "comedonal", "closed_comedo": "comedonal",
    "papule": "inflamed", "pustule": "inflamed",
    "nodule": "deep", "cyst": "deep",
    **{t: "lookalike" for t in LOOKALIKES},
    "unsure": "unsure",
}

# Two-letter codes drawn on proofs beside each ring.
SHORT = {"open_comedo": "OC", "closed_comedo": "CC", "papule": "PA", "pustule": "PU", "nodule": "NO", "cyst": "CY",
         "milium": "MI", "syringoma": "SY", "flat_wart": "FW", "keloid": "KE", "folliculitis": "FO", "unsure": "??"}

# Ring colours (RGB) on proofs, one per type; groups share a hue family.
COLOUR = {"open_comedo": (0, 220, 255), "closed_comedo": (120, 170, 255), "papule": (255, 230, 0),
          "pustule": (255, 140, 0), "nodule": (255, 40, 200), "cyst": (190, 60, 255), "milium": (0, 255, 120),
          "syringoma": (150, 255, 80), "flat_wart": (60, 200, 120), "keloid": (200, 255, 200),
          "folliculitis": (0, 160, 90), "unsure": (255, 255, 255)}

STATUSES = ("ok", "mosaic", "no_lesion", "unusable")
CERTAINTY = ("sure", "unsure")

PROPOSERS = ("detector", "plug", "blob_dark", "blob_bright", "blob_red")

DEFAULT_DATA = Path("../shared/data")  # the photos, relative to the repository root
CLOSEUPS = Path("data/closeups")
