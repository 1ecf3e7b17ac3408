"""``comedo evaluate-types DIR``: accuracy, macro-F1 and the confusion matrix of
the shipped lesion-type classifier on folders named by type."""

from __future__ import annotations

import json
import re
from pathlib import Path

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
    from comedo.classify.lesion_types import TYPE_NAMES

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

    from comedo.classify.lesion_types import GROUP_NAMES, TYPE_NAMES
    from comedo.classify.registry import get_type_classifier
    from comedo.workflows.evaluate_types import score_close_up, summarise

    if not directory.is_dir():
        print_error(f"{directory}: not a directory of type folders")
        return 2
    if get_type_classifier() is None:
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
    results, skipped = [], 0
    for path, k in track(samples, description="analysing", transient=True):
        try:
            results.append(score_close_up(path, k, f"{path.parent.name}/{source_key(path)}"))
        except ComedoError as exc:
            typer.echo(f"comedo: skipped: {exc}", err=True)
            skipped += 1
    if not results:
        print_error(f"{directory}: no photo could be read")
        return 2
    fig = summarise(results)
    console = Console(markup=False)  # names from the command line (folders) are text, never markup
    for title, names, key in (("six types", TYPE_NAMES, "types"), ("three groups", GROUP_NAMES, "groups")):
        figures = fig["classifier"][key]  # type: ignore[index]
        table = Table(title=f"{directory}: {len(results)} photos ({skipped} skipped), {title}, the classifier alone")
        table.add_column("truth \\ predicted")
        for name in names:
            table.add_column(name.replace("_comedo", ""), justify="right")
        table.add_column("F1", justify="right")
        for k, name in enumerate(names):
            table.add_row(name, *[str(v) for v in figures["confusion"][k][:len(names)]], f"{figures['f1'][k]:.3f}")
        console.print(table)
    for who in ("classifier", "pipeline"):
        for key in ("types", "groups"):
            f = fig[who][key]  # type: ignore[index]
            low, high = f["interval_95"]
            console.print(f"{who:>10} {key:<6}: macro-F1 {f['macro_f1']:.3f} ({low:.3f}-{high:.3f}), accuracy "
                          f"{f['accuracy']:.3f}, coverage {f['coverage']:.3f}")
    console.print("accuracy vs coverage (top type probability at least p): " + ", ".join(
        f"p {row['min_probability']:.1f}: {row['coverage']:.2f} named, "
        + ("-" if row["accuracy_when_named"] is None else f"{row['accuracy_when_named']:.2f} right")
        for row in fig["accuracy_vs_coverage"]))  # type: ignore[attr-defined]
    cal = fig["calibration"]
    console.print(f"calibration: expected calibration error {cal['types_ece']:.3f} (types), "  # type: ignore[index]
                  f"{cal['groups_ece']:.3f} (groups); reliability in --json")  # type: ignore[index]
    console.print("advice (all photos | those seen as close-ups): " + "; ".join(
        f"{name} {a['protocol']:.0%} protocol, {a['with_open_comedo_lesion']:.0%} with an open-comedo lesion"
        + (f" | {a['close_ups']}: {a['close_ups_protocol']:.0%}, {a['close_ups_with_open_comedo_lesion']:.0%}"
           if a["close_ups"] else "")
        for name, a in fig["advice"].items()))  # type: ignore[attr-defined]
    console.print("rings (photos with a ring in the label's group; median share of typed rings in it; blackheads "
                  "and whiteheads with a deep ring): " + "; ".join(
                      f"{name} {r['with_ring_in_group']:.0%}, "
                      + ("-" if r["median_share_in_group"] is None else f"{r['median_share_in_group']:.0%}")
                      + (f", deep {r['with_deep_ring']:.0%}" if "with_deep_ring" in r else "")
                      for name, r in fig["rings"].items()))  # type: ignore[attr-defined]
    console.print(f"seen as close-ups: {fig['seen_as_close_up']} of {len(results)}; whole-face scales printed on "
                  f"{fig['graded_close_ups']} of them")
    console.print("by ITA band: " + ", ".join(f"{band} {v['photos']}" + (
        f" (groups F1 {v['group_macro_f1_classifier']:.2f})" if "group_macro_f1_classifier" in v else "")
        for band, v in fig["by_ita_band"].items()))  # type: ignore[attr-defined]
    if json_out:
        types = fig["classifier"]["types"]  # type: ignore[index]
        json_out.write_text(json.dumps({
            "photos": len(results), "skipped": skipped, "accuracy": types["accuracy"],
            "macro_f1": types["macro_f1"], "macro_f1_interval_95": types["interval_95"],
            "f1": dict(zip(TYPE_NAMES, types["f1"], strict=True)), "confusion": types["confusion"],
            **{k: v for k, v in fig.items() if k != "photos"}}, indent=2))
    return 0
