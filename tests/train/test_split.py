"""The lesion-type data's group-keeping subsets (training side; no torch needed)."""

from __future__ import annotations

from pathlib import Path

from comedo_train.lesion_types import Item, keep_share


def _items() -> tuple[list[Item], dict[str, str]]:
    items = [Item(Path(f"p{g}_{c}.jpg"), g % 6, f"g{g}", "p") for g in range(40) for c in range(3)]
    component = {f"g{g}": f"c{g // 2}" for g in range(40)}  # pairs of groups linked as one photo
    return items, component


def test_keep_share_keeps_whole_linked_components_and_the_asked_share() -> None:
    items, component = _items()
    kept = keep_share(items, component, 0.25, seed=3)
    components = {component[it.group] for it in kept}
    assert len(components) == 5  # a quarter of the 20 components
    assert len(kept) == 5 * 2 * 3  # every copy of every group of each kept component
    assert keep_share(items, component, 0.25, seed=3) == kept  # seeded
    assert {component[it.group] for it in keep_share(items, component, 0.25, seed=4)} != components
    assert keep_share(items, component, 1.0) == items
