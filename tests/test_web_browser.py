"""The page in a real headless browser (Debian's Chromium driven by Playwright):
upload the sample, wait for the result, toggle a layer, read the triage level,
download the JSON. A screenshot is kept in test-artifacts/ for people to look at."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser test (apt-get install chromium)")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    from comedo.web.app import Settings, create_app

    port = _free_port()
    config = uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not srv.started:
        if time.time() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("viewport", [{"width": 1200, "height": 1600}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_upload_toggle_download(server: str, sample_path: Path, tmp_path: Path, viewport: dict) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport=viewport, accept_downloads=True)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server + "/")
            page.locator("#questions summary").click()
            page.select_option("select[name=pain]", "severe")
            page.check("input[name=fever]")
            page.check("input[name=warm]")
            page.set_input_files("#file", str(sample_path))
            page.wait_for_selector("#result:not([hidden])", timeout=60_000)
            page.wait_for_function("document.getElementById('photo').complete && "
                                   "document.getElementById('photo').naturalWidth > 0", timeout=30_000)
            level = page.locator("#triage").get_attribute("data-level")
            assert level == "urgent"  # fever with infection signs
            assert "Urgent" in page.locator("#triage").inner_text()
            n_rows = page.locator("#lesions tbody tr").count()
            assert page.locator("#g-lesions circle").count() == n_rows
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
            lesion_card = page.locator("#severity .card").first.inner_text()
            assert doc["severity"]["hayashi"]["label"].replace("_", " ") in lesion_card
            assert f"{round(100 * max(doc['severity']['hayashi']['probabilities']))}% sure" in lesion_card
            estimate = doc["severity"]["hayashi"]["estimated_count"]
            assert (f"about {estimate} in all" in lesion_card) == (estimate != n_rows)
            assert "not a medical device" in page.locator("#result-disclaimer").inner_text()
            page.screenshot(path=str(ARTIFACTS / f"page-{viewport['width']}.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
