"""The page's photo tip: a ruler beside the spot gives sizes in millimetres (comedo.measure.ruler finds it)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from comedo.web.app import Settings, create_app


def test_the_page_says_to_lay_a_ruler_beside_the_spot() -> None:
    with TestClient(create_app(Settings()), base_url="http://localhost") as client:
        page = client.get("/")
    assert page.status_code == 200
    assert 'id="photo-tip">Tip: lay a ruler beside the spot for sizes in millimetres.' in page.text
