"""Scoring a close-up detector while it trains and after: rings decoded at each photo's own size, matched to the
labels by ``labelling.score``'s rule (matched-lesion F1 overall and per group) and their types compared."""

from __future__ import annotations

from collections import Counter

import numpy as np
import torch

from comedo_train.closeup_data import CloseupSample, Ring, decode_rings, prepare
from comedo_train.labelling.agree import match
from comedo_train.labelling.decisions import Lesion
from comedo_train.labelling.score import GROUPS, score_photo, summarise
from comedo_train.labelling.vocab import ACNE_TYPES, GROUP_OF, LOOKALIKES

__all__ = ["predict_rings", "evaluate", "type_agreement", "compact", "THRESHOLDS"]

THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)


@torch.no_grad()
def predict_rings(model: torch.nn.Module, samples: list[CloseupSample], *, min_score: float = 0.05,
                  batch: int = 16) -> list[list[Ring]]:
    """Each sample's rings at its own size (``prepare``: colour constancy, black padding to a multiple of 32),
    photos of one padded shape batched together."""
    model.eval()
    prepared = [prepare(s.rgb) for s in samples]
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for i, p in enumerate(prepared):
        by_shape.setdefault(p.shape, []).append(i)
    out: list[list[Ring]] = [[] for _ in samples]
    for idx in by_shape.values():
        for b in range(0, len(idx), batch):
            chunk = idx[b: b + batch]
            x = torch.from_numpy(np.stack([prepared[i] for i in chunk])).permute(0, 3, 1, 2).float()
            heat, size, offset, probs = (t.numpy() for t in model(x))
            for j, i in enumerate(chunk):
                h, w = samples[i].rgb.shape[:2]
                out[i] = decode_rings(heat[j, 0], size[j], offset[j], probs[j], min_score=min_score, height=h,
                                      width=w)
    return out


def _lesions(sample: CloseupSample) -> list[Lesion]:
    return [Lesion(float(x), float(y), float(r), name, bool(s), "label", None)
            for (x, y, r), name, s in zip(sample.circles, sample.names, sample.sure, strict=True)]


def evaluate(rings: list[list[Ring]], samples: list[CloseupSample], *, thresholds: tuple[float, ...] = THRESHOLDS,
             n_boot: int = 200) -> dict:
    """Matched-lesion F1 overall and per group (``labelling.score``) of the rings over each heat threshold, and
    which threshold gave the best overall F1 on these samples."""
    per_threshold = {}
    for thr in thresholds:
        counts = [score_photo(s.photo_id, _lesions(s),
                              [Lesion(r.x, r.y, r.r, r.type, True, "net", None) for r in rs if r.score >= thr])
                  for s, rs in zip(samples, rings, strict=True)]
        per_threshold[f"{thr:g}"] = summarise(counts, n_boot=n_boot)
    best = max(per_threshold, key=lambda k: per_threshold[k]["overall"]["f1"] or 0.0)
    return {"photos": len(samples), "best_threshold": float(best), "by_threshold": per_threshold,
            "types_matched": type_agreement(rings, samples, float(best))}


def type_agreement(rings: list[list[Ring]], samples: list[CloseupSample], threshold: float) -> dict:
    """On the labelled lesions a ring matches (at ``threshold``): how often the ring's type is the label's
    (six acne types, labels of those types only) and its group the label's group (comedonal, inflamed, deep;
    look-alikes as their own group), and the pairs (label type -> ring type) counted."""
    pairs: Counter = Counter()
    for s, rs in zip(samples, rings, strict=True):
        labels = _lesions(s)
        kept = [Lesion(r.x, r.y, r.r, r.type, True, "net", None) for r in rs if r.score >= threshold]
        for i, j in match(labels, kept):
            label = labels[i].type if labels[i].type not in LOOKALIKES else "lookalike"
            pairs[(label, kept[j].type)] += 1
    acne = {(a, b): n for (a, b), n in pairs.items() if a in ACNE_TYPES}
    group = {**GROUP_OF, "lookalike": "lookalike"}
    n_acne = sum(acne.values())
    return {"matched_typed": n_acne,
            "type_accuracy": sum(n for (a, b), n in acne.items() if a == b) / n_acne if n_acne else None,
            "group_accuracy": sum(n for (a, b), n in acne.items() if group[a] == group[b]) / n_acne
            if n_acne else None,
            "pairs": {f"{a}->{b}": n for (a, b), n in sorted(pairs.items(), key=lambda kv: -kv[1])}}


def compact(figures: dict, threshold: str | None = None) -> dict[str, float | None]:
    """F1 overall and per group at ``threshold`` (default: the best), for the log."""
    key = threshold or f"{figures['best_threshold']:g}"
    block = figures["by_threshold"][key]
    out: dict[str, float | None] = {"threshold": float(key)}
    for g in ("overall", *GROUPS):
        out[f"f1_{g}"] = None if block[g]["f1"] is None else round(block[g]["f1"], 3)
    types = figures.get("types_matched", {})
    for k in ("type_accuracy", "group_accuracy"):
        out[k] = None if types.get(k) is None else round(types[k], 3)
    out["recall"] = None if block["overall"]["recall"] is None else round(block["overall"]["recall"], 3)
    out["precision"] = None if block["overall"]["precision"] is None else round(block["overall"]["precision"], 3)
    return out
