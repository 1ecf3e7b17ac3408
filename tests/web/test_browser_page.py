"""The analysis page in a real headless browser at 1280 and 390 px (issue 33): ring and row picking on a
many-lesion close-up, keyboard focus and names, the verdict above the table, a mixed upload, a small photo scaled
up, the history page's pattern. Screenshots go to test-artifacts/ for people to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import ARTIFACTS, _launch, _open, _serving, _wait_for

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from comedo.web.app import Settings

    with _serving(Settings()) as url:
        yield url


def _crowd(doc: dict) -> dict:
    """The sample's analysis with 52 lesions packed like a close-up's: small rings a ring-width apart, every
    seventh a large ring over its neighbours, every third left alone. The photo and its other layers are the
    sample's own, so only the rings and the table differ."""
    w, h = doc["image"]["width"], doc["image"]["height"]
    template = doc["lesions"][0]
    lesions = []
    for n in range(52):
        col, row = n % 8, n // 8
        big = n % 7 == 3
        lesions.append({**template, "center": [w * (0.2 + 0.08 * col), h * (0.25 + 0.08 * row)],
                        "radius_px": w * (0.07 if big else 0.012), "type": "open_comedo" if n % 2 else "papule",
                        "type_summary": None, "advice": "do_not_extract" if n % 3 == 0 else "ok_with_care",
                        "advice_why": None, "advice_relied_on": None})
    return {**doc, "lesions": lesions}


def _analyse(page, photos: list[Path], crowd: bool = False) -> dict:  # type: ignore[no-untyped-def]
    """Upload ``photos``, wait for the last one's result; with ``crowd`` the page then shows ``_crowd`` of it
    (through the page's own ``show``, as a response would be shown). Returns the document shown."""
    page.set_input_files("#file", [str(p) for p in photos])
    page.click("#analyse")
    _wait_for(page, "!document.getElementById('analyse').disabled && "
                    "document.getElementById('analyse').textContent.startsWith('Analyse again')", 120)
    doc = page.evaluate("current ? current.doc : null")
    if crowd:
        doc = _crowd(doc)
        page.evaluate("(doc) => { current.doc = doc; show(results.indexOf(current)); }", doc)
    _wait_for(page, "document.getElementById('photo').complete && document.getElementById('photo').naturalWidth > 0")
    page.wait_for_timeout(200)
    return doc


def _ring_centre(page, doc: dict, i: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    photo = page.locator("#photo").bounding_box()
    k = photo["width"] / doc["image"]["width"]
    x, y = doc["lesions"][i]["center"]
    return photo["x"] + x * k, photo["y"] + y * k


def _picked(page, what: str) -> list[int]:  # type: ignore[no-untyped-def]
    selector = "#lesions tbody tr.picked" if what == "row" else "#g-lesions .ring.picked"
    return [int(x) for x in page.locator(selector).evaluate_all("els => els.map(e => e.dataset.i)")]


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_rings_and_rows_pick_each_other_on_a_crowded_close_up(server: str, sample_path: Path, viewport: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page, errors = _open(browser, server + "/", viewport=viewport)
            doc = _analyse(page, [sample_path], crowd=True)
            assert page.locator("#lesions tbody tr").count() == 52 == page.locator("#g-lesions .ring").count()
            # The verdict and the extraction answer come before the photo and the table.
            tops = [page.locator(s).bounding_box()["y"] for s in ("#triage", "#extraction-title", "#stage", "#lesions")]
            assert tops[0] < tops[1] < tops[2] and tops[1] < tops[3], tops
            # Clicking (tapping) a ring picks its own row, also where a large ring lies over it (issue 33:
            # ring 21 picked row 1, 31 -> 7, 46 -> 33).
            for number in (21, 31, 46, 4, 52):
                page.locator("#stage").scroll_into_view_if_needed()
                page.mouse.click(*_ring_centre(page, doc, number - 1))
                assert _picked(page, "row") == [number - 1] and _picked(page, "ring") == [number - 1], number
                row = page.locator(f"#lesions tbody tr[data-i='{number - 1}']").bounding_box()
                assert -1 <= row["y"] and row["y"] + row["height"] <= viewport["height"] + 1  # its row in view
                if viewport is WIDE:  # and the photo beside it, held in view (sticky)
                    stage = page.locator("#stage").bounding_box()
                    assert stage["x"] + stage["width"] <= row["x"] and 0 <= stage["y"] < viewport["height"] / 2
            if viewport is WIDE:
                # Pointing at a row previews its ring without taking the pick; rows scrolled under a still pointer
                # do not take it either; leaving the table shows the picked ring again.
                page.mouse.click(*_ring_centre(page, doc, 20))
                target = page.locator("#lesions tbody tr[data-i='22']").bounding_box()
                page.mouse.move(target["x"] + 30, target["y"] + target["height"] / 2, steps=3)
                assert _picked(page, "ring") == [22] and _picked(page, "row") == [20]
                page.mouse.wheel(0, 240)
                page.wait_for_timeout(400)
                page.mouse.wheel(0, 240)
                page.wait_for_timeout(400)
                assert _picked(page, "ring") == [22] and _picked(page, "row") == [20]
                page.mouse.move(5, 5, steps=3)
                assert _picked(page, "ring") == [20]
            else:
                # Tap targets at least 24 px across, and the picked ring's number legible on tap.
                sizes = page.locator("#g-lesions .ring .hit").evaluate_all(
                    "els => els.map(e => e.getBoundingClientRect().width)")
                assert min(sizes) >= 24, min(sizes)
                page.locator("#stage").scroll_into_view_if_needed()
                page.mouse.click(*_ring_centre(page, doc, 30))
                label = page.locator("#g-lesions .ring[data-i='30'] text").bounding_box()
                assert label and label["height"] >= 12, label
                # Tapping a row scrolls the photo to its ring.
                page.locator("#lesions tbody tr[data-i='45']").click()
                stage = page.locator("#stage").bounding_box()
                assert stage["y"] < viewport["height"] and stage["y"] + stage["height"] > 0
                assert _picked(page, "ring") == [45]
            page.screenshot(path=str(ARTIFACTS / f"page-crowded-{viewport['width']}.png"), full_page=False)
            # Keyboard: every ring and row focusable and named; Tab from the last layer toggle reaches ring 1,
            # which picks its row.
            named = page.evaluate("""[...document.querySelectorAll('#g-lesions .ring, #lesions tbody tr')]
                .filter(e => e.tabIndex === 0 && /^Lesion \\d+: /.test(e.getAttribute('aria-label') || '')).length""")
            assert named == 104
            page.locator("#layer-face").focus()
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.dataset.i") == "0"
            assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("Lesion 1: ")
            assert _picked(page, "row") == [0]
            page.keyboard.press("Tab")
            assert _picked(page, "row") == [1]
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"page-keyboard-{viewport['width']}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert not errors, errors
        finally:
            browser.close()


def test_a_mixed_upload_lists_each_files_outcome(server: str, sample_path: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo\n")
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page, errors = _open(browser, server + "/", viewport=WIDE)
            _analyse(page, [notes, sample_path])
            failed = page.locator("#results-list li.failed").all_inner_texts()
            done = page.locator("#results-list li.analysed").all_inner_texts()
            assert len(failed) == 1 and "notes.txt" in failed[0], failed
            assert len(done) == 1 and sample_path.name in done[0], done
            status = page.locator("#status")
            assert status.get_attribute("class") == "error"  # not overwritten by the good photo's "Done"
            assert "1 of 2 photos analysed" in status.inner_text()
            assert not page.locator("#result").is_hidden()
            assert not errors, errors
        finally:
            browser.close()


def test_a_small_photo_is_scaled_up_with_its_rings(server: str, sample_path: Path, tmp_path: Path) -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    small = tmp_path / "small.png"
    Image.open(sample_path).convert("RGB").resize((200, 300)).save(small)
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page, errors = _open(browser, server + "/", viewport=WIDE)
            doc = _analyse(page, [small], crowd=True)
            photo = page.locator("#photo").bounding_box()
            assert photo["width"] >= 2 * 200, photo  # not 200 px wide on a 1280 px screen
            ring = page.locator("#g-lesions .ring[data-i='9'] .colour").bounding_box()
            x, y = _ring_centre(page, doc, 9)
            assert abs(ring["x"] + ring["width"] / 2 - x) < 2 and abs(ring["y"] + ring["height"] / 2 - y) < 2
            assert not errors, errors
        finally:
            browser.close()


def test_the_history_page_pattern_is_valid(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page()
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text))
            page.goto(server + "/history")
            page.fill("#subject", "p-1")
            assert page.evaluate("document.getElementById('subject').checkValidity()")
            page.fill("#subject", "-p")
            assert not page.evaluate("document.getElementById('subject').checkValidity()")
            page.goto(server + "/")
            page.fill("#subject", "a.b_c-d")
            assert page.evaluate("document.getElementById('subject').checkValidity()")
            assert not [m for m in console if "pattern" in m.lower()], console
        finally:
            browser.close()
