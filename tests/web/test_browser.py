"""The page in a real headless browser (Debian's Chromium driven by Playwright):
upload the sample, wait for the result, toggle a layer, read the triage level,
download the JSON. A screenshot is kept in test-artifacts/ for people to look at."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from paths import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser test (apt-get install chromium)")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@contextlib.contextmanager
def _serving(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The page's address on a server run as `comedo serve` runs it (its sockets, its connection clocks)."""
    from live_server import running

    with running(settings) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from comedo.web.app import Settings

    with _serving(Settings()) as url:
        yield url


@pytest.mark.parametrize("viewport", [{"width": 1200, "height": 1600}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_upload_toggle_download(server: str, sample_path: Path, tmp_path: Path, viewport: dict) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page, errors = _open(browser, server + "/", viewport=viewport, accept_downloads=True)
            page.locator("#questions summary").click()
            page.select_option("select[name=pain]", "severe")
            page.check("input[name=fever]")
            page.check("input[name=warm]")
            page.set_input_files("#file", str(sample_path))
            assert page.locator("#result").is_hidden()  # choosing a photo does not start the analysis
            page.click("#analyse")
            page.wait_for_selector("#result:not([hidden])", timeout=60_000)
            _wait_for(page, "document.getElementById('photo').complete && "
                            "document.getElementById('photo').naturalWidth > 0")
            level = page.locator("#triage").get_attribute("data-level")
            assert level == "urgent"  # fever with infection signs
            assert "Urgent" in page.locator("#triage").inner_text()
            n_rows = page.locator("#lesions tbody tr").count()
            assert page.locator("#g-lesions .colour").count() == n_rows
            assert not page.locator("#redness").is_visible()  # lesions first: the heat map is a layer to turn on
            page.check("#layer-redness")
            assert page.locator("#redness").is_visible()
            page.uncheck("#layer-redness")
            assert not page.locator("#redness").is_visible()
            page.uncheck("#layer-lesions")
            assert page.locator("#g-lesions").evaluate("g => getComputedStyle(g).display") == "none"
            page.check("#layer-lesions")
            page.check("#layer-redness")
            with page.expect_download() as info:
                page.click("#download-json")
            saved = tmp_path / "download.json"
            info.value.save_as(saved)
            doc = json.loads(saved.read_text())
            assert doc["triage"]["level"] == "urgent" and len(doc["lesions"]) == n_rows
            # A table row picks its ring, drawn where the lesion is; a ring picks its row.
            page.locator("#lesions tbody tr").nth(2).click()
            ring = page.locator("#g-lesions .ring").nth(2)
            assert "picked" in (ring.get_attribute("class") or "")
            assert page.locator("#g-lesions .ring.picked").count() == 1
            photo, circle = page.locator("#photo").bounding_box(), ring.locator(".colour").bounding_box()
            assert photo and circle
            k = photo["width"] / doc["image"]["width"]
            cx, cy = doc["lesions"][2]["center"]
            assert abs(circle["x"] + circle["width"] / 2 - (photo["x"] + cx * k)) < 3
            assert abs(circle["y"] + circle["height"] / 2 - (photo["y"] + cy * k)) < 3
            page.locator("#g-lesions .ring").nth(0).locator(".colour").click(force=True)
            assert "picked" in (page.locator("#lesions tbody tr").nth(0).get_attribute("class") or "")
            lesion_card = page.locator("#severity .card").first.inner_text()
            assert doc["severity"]["hayashi"]["label"].replace("_", " ") in lesion_card
            assert f"{round(100 * max(doc['severity']['hayashi']['probabilities']))}% sure" in lesion_card
            estimate = doc["severity"]["hayashi"]["estimated_count"]
            assert (f"about {estimate} in all" in lesion_card) == (estimate != n_rows)
            assert "not a medical device" in page.locator("#result-disclaimer").inner_text()
            page.screenshot(path=str(ARTIFACTS / f"page-{viewport['width']}.png"), full_page=True)
            # Analyse again with changed answers: the same photo, a new triage.
            page.uncheck("input[name=fever]")
            page.uncheck("input[name=warm]")
            page.select_option("select[name=pain]", "none")
            page.click("#analyse")
            _wait_for(page, "document.getElementById('triage').dataset.level !== 'urgent'", 60)
            # A new photo starts from empty answers.
            page.set_input_files("#file", str(sample_path))
            assert page.locator("select[name=pain]").input_value() == ""
            assert not errors, errors
        finally:
            browser.close()


def _wait_for(page, expression: str, timeout_s: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Poll a JavaScript expression: page.wait_for_function evaluates strings with eval, which the app's
    Content-Security-Policy (script-src 'self') rightly refuses; CDP's evaluate is not subject to it."""
    deadline = time.time() + timeout_s
    while not page.evaluate(expression):
        if time.time() > deadline:
            raise TimeoutError(f"still false after {timeout_s} s: {expression}")
        time.sleep(0.1)


def _open(browser, url: str, **options):  # type: ignore[no-untyped-def]
    """A new page at ``url`` and the list its JavaScript errors are collected in (``options`` go to new_page)."""
    page = browser.new_page(**options)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, errors


def _launch(p):  # type: ignore[no-untyped-def]
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"])


def test_docs_render_offline_under_the_csp(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page()
            outside: list[str] = []
            page.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                       if not route.request.url.startswith(server) else route.continue_())
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(server + "/docs")
            page.wait_for_selector(".opblock-summary-path", timeout=30_000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert any("/api/v1/analyses" in x for x in paths)
            assert not outside, outside  # nothing fetched from a CDN
            assert not violations, violations
        finally:
            browser.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_compare_page_header_stays_above_the_photos(server: str, sample_path: Path, width: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(server + "/compare")
            page.set_input_files("#before", str(sample_path))
            page.set_input_files("#after", str(sample_path))
            page.click("#form button[type=submit]")
            page.wait_for_selector("#out:not([hidden])", timeout=60_000)
            _wait_for(page, "document.getElementById('compare-overlay').naturalWidth > 0")
            header = page.locator("header").bounding_box()
            counts = page.locator("#counts").bounding_box()
            overlay = page.locator("#compare-overlay").bounding_box()
            assert header and counts and overlay
            assert header["y"] + header["height"] <= counts["y"] < overlay["y"]  # not covered by its own photo
            assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the viewport
        finally:
            browser.close()


def test_before_and_after_from_a_subjects_history_with_a_slider(tmp_path: Path, sample_path: Path) -> None:
    """Two stored analyses of a subject (the sample and its mirror image, as a selfie camera saves it) chosen from
    the history and compared under the wipe slider, which shows the aligned before photo over the after photo."""
    from PIL import Image, ImageOps
    from playwright.sync_api import sync_playwright

    import comedo
    from comedo.store.repository import Store
    from comedo.web.app import Settings

    url = f"sqlite:///{tmp_path / 'b.db'}"
    mirrored = tmp_path / "mirrored.png"
    ImageOps.mirror(Image.open(sample_path).convert("RGB")).save(mirrored)
    store = Store.open(url, data_dir=tmp_path)
    for photo in (sample_path, mirrored):
        store.save_analysis(comedo.analyze(photo), subject_id="b-1")
    store.close()
    with _serving(Settings(db_url=url, data_dir=str(tmp_path))) as server, sync_playwright() as p:
        browser = _launch(p)
        try:
            page, errors = _open(browser, server + "/compare", viewport={"width": 1280, "height": 900})
            page.locator("#from-history summary").click()
            page.fill("#stored-subject", "b-1")
            page.click("#stored-load")
            _wait_for(page, "!document.getElementById('stored-compare').disabled")
            assert page.locator("#stored-before option").count() == 2
            page.click("#stored-compare")
            page.wait_for_selector("#out:not([hidden])", timeout=60_000)
            assert "mirror image" in page.locator("#status").inner_text()
            _wait_for(page, "document.getElementById('wipe-before').naturalWidth > 0 && "
                            "document.getElementById('wipe-after').naturalWidth > 0")
            before, after = page.locator("#wipe-before").bounding_box(), page.locator("#wipe-after").bounding_box()
            assert before and after and before == after  # one frame: the before photo aligned to the after one
            page.locator("#wipe-at").fill("20")
            clip = page.locator("#wipe-before").evaluate("e => getComputedStyle(e).clipPath")
            assert "80%" in clip, clip
            persisting = int(page.locator("#counts .card").nth(1).locator("b").inner_text())
            assert persisting >= 16  # of the sample's 20 lesions
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "compare-slider.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()


@pytest.mark.parametrize("width", [794, 390])
def test_the_report_fits_a4_and_a_phone_with_a_long_file_name(tmp_path: Path, sample_path: Path, width: int) -> None:
    """Nothing in the report is wider than the page: the header's long file path wraps, the photos stack on a phone."""
    from playwright.sync_api import sync_playwright

    import comedo
    from comedo.render.report import report_html

    long_name = "clinic-export-" + "x" * 120 + ".jpg"
    page_file = tmp_path / "report.html"
    page_file.write_text(report_html(comedo.analyze(sample_path, name=long_name), subject="p-3"))
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(page_file.as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            photos = page.locator("img.photo")
            assert photos.count() == 2
            first, second = photos.nth(0).bounding_box(), photos.nth(1).bounding_box()
            assert first and second
            if width > 600:  # side by side on paper-wide pages, stacked on a phone
                assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"] + first["width"] - 1
            else:
                assert second["y"] >= first["y"] + first["height"] - 1
        finally:
            browser.close()
