"""``python -m comedo_train.labelling COMMAND``: thin commands over the package's functions.

    select                         data/closeups/selection.tsv and batches/batch_NN.tsv, external_NN.tsv
    select-more                    a further round of batches from groups not yet selected
    sheets BATCH.tsv --out DIR     candidates (stored in data/closeups/candidates/), sheet PNGs, a template
    convert DECISIONS... --out DIR COCO closeups_train.json (+ external_eval.json); --proof DIR draws the labels
    agree A.tsv[,A2.tsv] B.tsv     matched-lesion F1 and Cohen's kappa (types, groups, photo status)
    shuffle DECISIONS... --name N  a second-pass batch: 60 random labelled photos, candidates renumbered
    examples --out DIR             the codebook's example crops

Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2

from comedo_train.labelling.vocab import CLOSEUPS, DEFAULT_DATA, SHORT

__all__ = ["main"]


def _select(args: argparse.Namespace) -> int:
    from comedo_train.labelling.photos import write_photos
    from comedo_train.labelling.selection import select, summary, write_batches

    chosen, external = select(args.data, per_type=args.per_type, more_total=args.more, seed=args.seed)
    write_photos(args.out / "selection.tsv", chosen + external)
    written = write_batches(chosen, external, args.out / "batches", seed=args.seed)
    for (folder, hint), n in sorted(summary(chosen).items()):
        print(f"{folder}\t{hint}\t{n}")
    print(f"{len(chosen)} photos to label, {len(external)} external (measure only); {len(written)} batch files")
    return 0


def _select_more(args: argparse.Namespace) -> int:
    """A further round: groups not in selection.tsv, batches numbered after the last one, appended to the
    selection (the first round's batches and their decisions stay as they are)."""
    from comedo_train.labelling.photos import read_photos, write_photos
    from comedo_train.labelling.selection import select, summary, write_batches

    selection = args.out / "selection.tsv"
    earlier = read_photos(selection)
    existing = sorted((args.out / "batches").glob("batch_*.tsv"))
    first = 1 + max((int(p.stem.split("_")[1]) for p in existing), default=0)
    chosen, _ = select(args.data, per_type=args.per_type, more_total=args.more, seed=args.seed,
                       exclude=frozenset(p.group for p in earlier))
    write_photos(selection, earlier + chosen)
    written = write_batches(chosen, [], args.out / "batches", seed=args.seed, first=first)
    for (folder, hint), n in sorted(summary(chosen).items()):
        print(f"{folder}\t{hint}\t{n}")
    print(f"{len(chosen)} more photos to label in {len(written)} batch files from batch_{first:02d}")
    return 0


def _sheets(args: argparse.Namespace) -> int:
    from comedo_train.labelling.batch_sheets import make_sheets

    cand = args.candidates or (CLOSEUPS / "candidates" / args.batch.name)
    n = make_sheets(args.batch, args.out, data=args.data, candidates_tsv=cand, refresh=args.refresh)
    print(f"{n} sheets in {args.out}; candidates {cand}; template {args.out / 'decisions_template.tsv'}")
    return 0


def _convert(args: argparse.Namespace) -> int:
    from comedo_train.labelling.decisions import (
        DecisionError,
        batch_of,
        labeller_of,
        load_batch,
        resolve,
        to_coco,
        write_json,
    )
    from comedo_train.labelling.photos import read_photo

    train, measure = [], []
    sizes: dict[str, tuple[int, int]] = {}
    seen: dict[str, Path] = {}
    for path in args.decisions:
        batch = batch_of(path)
        photos, cands = load_batch(args.batches, args.candidates, batch)
        for photo in photos.values():
            if photo.photo_id not in sizes:
                h, w = read_photo(photo, args.data).shape[:2]
                sizes[photo.photo_id] = (w, h)
        for photo_id, item in resolve(path, photos, cands, args.data, sizes).items():
            if photo_id in seen:
                raise DecisionError(f"{path}: photo {photo_id} is also decided in {seen[photo_id]}; second "
                                    "passes go to decisions/second/")
            seen[photo_id] = path
            photo = photos[photo_id]
            (measure if photo.use == "measure" else train).append((photo, item, batch, labeller_of(path)))
    outputs = [("closeups_train.json", train)] + ([("external_eval.json", measure)] if measure else [])
    for name, items in outputs:
        doc = to_coco(items, sizes)
        write_json(args.out / name, doc)
        print(f"{args.out / name}: {len(doc['images'])} photos, {len(doc['annotations'])} lesions, "
              f"{len(doc['negatives'])} hard negatives")
    if args.proof:
        _proofs(train + measure, args.proof, args.data)
        print(f"proofs in {args.proof}")
    return 0


def _proofs(items: list, out: Path, data: Path) -> None:
    from comedo_train.labelling.batch_sheets import sheet_name
    from comedo_train.labelling.photos import read_photo
    from comedo_train.labelling.sheets import Ring, draw_sheet

    out.mkdir(parents=True, exist_ok=True)
    for index, (photo, item, batch, labeller) in enumerate(items, start=1):
        rgb = read_photo(photo, data)
        rings = [Ring(les.x, les.y, les.r, SHORT[les.type] + ("" if les.sure else "?"), les.type)
                 for les in item.lesions if les.type]
        header = [f"PROOF {batch}.{labeller}   photo {photo.photo_id}   status {item.status}   photo_type "
                  f"{item.photo_type or '-'}",
                  f"hint: {photo.hinted_type}   |   {len(item.lesions)} lesions, {len(item.negatives)} dropped   "
                  f"|   ? = unsure   OC CC PA PU NO CY MI SY FW KE FO ??"]
        image = draw_sheet(rgb, rings, header, by_type=True)
        cv2.imwrite(str(out / sheet_name(index, photo.photo_id, "all")), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))


def _agree(args: argparse.Namespace) -> int:
    from comedo_train.labelling.agree import agreement, resolve_for_agreement

    sides = []
    for k, side in enumerate((args.a, args.b)):
        paths = [Path(p) for p in side.split(",")]
        merged: dict = {}
        for path in paths:
            cand = (args.candidates[k] if args.candidates and len(paths) == 1
                    else CLOSEUPS / "candidates" / f"{path.name.split('.')[0]}.tsv")
            merged.update(resolve_for_agreement(path, cand, args.batches))
        sides.append(merged)
    for line in agreement(*sides).lines():
        print(line)
    return 0


def _shuffle(args: argparse.Namespace) -> int:
    from comedo_train.labelling.agree import shuffle_second_pass

    paths = shuffle_second_pass(args.decisions, args.batches, args.candidates, args.name, count=args.count,
                                seed=args.seed)
    print("\n".join(str(p) for p in paths))
    return 0


def _examples(args: argparse.Namespace) -> int:
    from comedo_train.labelling.examples import write_examples

    n = write_examples(args.out, args.data, coco=args.coco)
    print(f"{n} example strips in {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m comedo_train.labelling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the photos' folder (../shared/data)")
    parser.add_argument("--batches", type=Path, default=CLOSEUPS / "batches")
    parser.add_argument("--candidates", type=Path, default=CLOSEUPS / "candidates", dest="candidates_dir")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("select", help="choose the photos and write the batches")
    p.add_argument("--out", type=Path, default=CLOSEUPS)
    p.add_argument("--per-type", type=int, default=60)
    p.add_argument("--more", type=int, default=260)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=_select)

    p = sub.add_parser("select-more", help="a further round of photos, never those already selected")
    p.add_argument("--out", type=Path, default=CLOSEUPS)
    p.add_argument("--per-type", type=int, default=30)
    p.add_argument("--more", type=int, default=80)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(run=_select_more)

    p = sub.add_parser("sheets", help="candidates and sheets for one batch")
    p.add_argument("batch", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--candidates", type=Path, default=None, help="default data/closeups/candidates/<batch>.tsv")
    p.add_argument("--refresh", action="store_true", help="propose again even if the candidates file exists")
    p.set_defaults(run=_sheets)

    p = sub.add_parser("convert", help="check decision files and write COCO")
    p.add_argument("decisions", type=Path, nargs="+")
    p.add_argument("--out", type=Path, default=CLOSEUPS)
    p.add_argument("--proof", type=Path, default=None)
    p.set_defaults(run=_convert)

    p = sub.add_parser("agree", help="agreement between two labellers' decision files")
    p.add_argument("a", help="A's decision file, or several joined by commas (a second pass spans batches)")
    p.add_argument("b", help="B's decision file(s), likewise")
    p.add_argument("--candidates", type=Path, nargs=2, default=None, help="A's and B's candidates files")
    p.set_defaults(run=_agree)

    p = sub.add_parser("shuffle", help="a second-pass batch from labelled photos")
    p.add_argument("decisions", type=Path, nargs="+")
    p.add_argument("--name", default="second_01")
    p.add_argument("--count", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=_shuffle)

    p = sub.add_parser("examples", help="the codebook's example crops")
    p.add_argument("--out", type=Path, default=Path("docs/labelling/examples"))
    p.add_argument("--coco", type=Path, default=None, help="a converter output: crops around its sure lesions")
    p.set_defaults(run=_examples)
    return parser


def main(argv: list[str] | None = None) -> int:
    from comedo_train.labelling.decisions import DecisionError

    args = build_parser().parse_args(argv)
    if args.command in ("convert", "shuffle"):
        args.candidates = args.candidates_dir
    try:
        return args.run(args)
    except (DecisionError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
