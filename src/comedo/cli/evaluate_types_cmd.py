"""``comedo evaluate-types DIR``: accuracy, macro-F1 and the confusion matrix of
the shipped lesion-type classifier on folders named by type."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import typer

from comedo.cli.errors import print_error
from comedo.errors import ComedoError
from comedo.files import IMAGE_SUFFIXES

# Folder names people use for each type (the lesion-types data uses the first), after ``folder_key``.
FOLDER_ALIASES = {
    "open_comedo": ("blackhead", "blackheads", "open_comedo", "open_comedones", "open_comedone"),
    "closed_comedo": ("whitehead", "whiteheads", "closed_comedo", "closed_comedones", "closed_comedone"),
    "papule": ("papule", "papules"),
    "pustule": ("pustule", "pustules"),
    "nodule": ("nodule", "nodules", "nodular"),
    "cyst": ("cyst", "cysts", "cystic"),
}


def folder_key(name: str) -> str:
    """A folder name as the aliases spell it: "Open comedones" and "open-comedones" are "open_comedones"."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def source_key(path: Path) -> str:
    """The source photo a file comes from: Roboflow exports name the augmented copies of one photo
    ``<name>_jpg.rf.<hash>.jpg``, so the part before ``.rf.`` (and its ``_jpg``) is kept; other files are their own
    source."""
    stem = path.stem.split(".rf.")[0]
    return re.sub(r"_(jpe?g|png|webp|bmp|tiff?)$", "", stem, flags=re.IGNORECASE)


def type_folders(directory: Path) -> tuple[list[tuple[Path, int]], list[str]]:
    """(folder, type index) for each sub-folder named by a type, and the names of the other sub-folders."""
    from comedo.typing_stage import TYPE_NAMES

    index = {alias: k for k, name in enumerate(TYPE_NAMES) for alias in FOLDER_ALIASES[name]}
    found, other = [], []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")):
        k = index.get(folder_key(folder.name))
        if k is None:
            other.append(folder.name)
        else:
            found.append((folder, k))
    return found, other


def run_evaluate_types(directory: Path, *, json_out: Path | None, limit: int) -> int:
    from rich.console import Console
    from rich.progress import track
    from rich.table import Table

    from comedo.classify.registry import get_type_classifier
    from comedo.io import load_image
    from comedo.metrics import bootstrap_macro_f1, confusion_matrix, macro_f1
    from comedo.typing_stage import TYPE_NAMES

    if not directory.is_dir():
        print_error(f"{directory}: not a directory of type folders")
        return 2
    classifier = get_type_classifier()
    if classifier is None:
        print_error("this build has no lesion-type model")
        return 1
    samples: list[tuple[Path, int]] = []
    folders, other = type_folders(directory)
    for folder, k in folders:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        samples += [(p, k) for p in (files[:limit] if limit else files)]
    if not samples:
        print_error(f"{directory}: no photos in folders named by type "
                    f"({', '.join(a[0] for a in FOLDER_ALIASES.values())}, or their plurals)")
        return 2
    if other:
        typer.echo(f"comedo: not a type, left out: {', '.join(other)}", err=True)
    order = list(classifier.card.labels)
    index = [order.index(n) for n in TYPE_NAMES]
    truth, pred, sources, skipped = [], [], [], 0
    for path, k in track(samples, description="classifying", transient=True):
        try:
            rgb = load_image(path).pixels
        except ComedoError as exc:
            typer.echo(f"comedo: skipped: {exc}", err=True)
            skipped += 1
            continue
        probs = classifier.classify_photo(rgb)[index]
        truth.append(k)
        pred.append(int(probs.argmax()))
        sources.append(f"{path.parent.name}/{source_key(path)}")
    matrix = confusion_matrix(truth, pred, len(TYPE_NAMES))
    f1, per_class = macro_f1(matrix)
    accuracy = float(np.trace(matrix) / max(matrix.sum(), 1))
    console = Console()
    table = Table(title=f"{directory}: {len(truth)} photos ({skipped} skipped)")
    table.add_column("truth \\ predicted")
    for name in TYPE_NAMES:
        table.add_column(name.replace("_comedo", ""), justify="right")
    table.add_column("F1", justify="right")
    for k, name in enumerate(TYPE_NAMES):
        table.add_row(name, *[str(v) for v in matrix[k]], f"{per_class[k]:.3f}")
    console.print(table)
    nc = matrix[np.ix_([4, 5], [4, 5])]
    low, high = bootstrap_macro_f1(truth, pred, sources, len(TYPE_NAMES))
    n_sources = len(set(sources))
    console.print(f"accuracy {accuracy:.3f}   macro-F1 {f1:.3f} (95 % interval {low:.3f}-{high:.3f}, resampling "
                  f"{n_sources} source photos)   nodule vs cyst: "
                  f"nodule->cyst {matrix[4, 5]}, cyst->nodule {matrix[5, 4]} "
                  f"(pair accuracy {np.trace(nc) / max(nc.sum(), 1):.3f})")
    if json_out:
        json_out.write_text(json.dumps({"photos": len(truth), "skipped": skipped, "accuracy": accuracy,
                                        "macro_f1": f1, "macro_f1_interval_95": [low, high],
                                        "source_photos": n_sources, "f1": dict(zip(TYPE_NAMES, per_class, strict=True)),
                                        "labels": list(TYPE_NAMES), "confusion": matrix.tolist()}, indent=2))
    return 0
