"""JSON API with TestClient: happy path, every error code, token handling."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from paths import TEST_DATA
from PIL import Image

from comedo.web.app import Settings, create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app(Settings(max_upload_bytes=2_000_000, max_pixels=5_000_000)),
                    base_url="http://localhost") as c:
        yield c


def _post(client: TestClient, data: bytes, name: str = "face.jpg", **form: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/analyses", files={"image": (name, data, "image/jpeg")}, data=form)


def test_analysis_round_trip(client: TestClient, sample_path: Path) -> None:
    answers = json.dumps({"pain": "mild", "location": "face"})
    r = _post(client, sample_path.read_bytes(), answers=answers, mm_per_px="0.1")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["id"] and doc["image"]["width"] == 640 and doc["image"]["mm_per_px"] == 0.1
    assert doc["triage"]["level"] in {"self_care", "routine", "soon", "urgent"} and doc["answers"]["pain"] == "mild"
    again = client.get(f"/api/v1/analyses/{doc['id']}")
    assert again.status_code == 200 and again.json()["image"]["sha256"] == doc["image"]["sha256"]
    png = client.get(f"/api/v1/analyses/{doc['id']}/image.png?layers=lesions,redness")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    photo = client.get(f"/api/v1/analyses/{doc['id']}/photo.jpg")
    assert photo.headers["content-type"] == "image/jpeg"
    assert "exif" not in Image.open(io.BytesIO(photo.content)).info
    assert client.get(f"/api/v1/analyses/{doc['id']}/redness.png").content[:4] == b"\x89PNG"
    report = client.get(f"/api/v1/analyses/{doc['id']}/report.html")
    assert report.status_code == 200 and "not a medical device" in report.text
    assert "data:image/png;base64" in report.text


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"data": b"hello, not an image"}, 415, "not_an_image"),
    ({"data": b""}, 415, "not_an_image"),
    ({"data": b"\xff\xd8" + b"\x00" * 2_100_000}, 413, "too_large"),
])
def test_bad_images(client: TestClient, kwargs: dict, status: int, code: str) -> None:
    r = _post(client, kwargs["data"])
    assert r.status_code == status and r.json()["code"] == code and r.json()["detail"]


def test_too_many_pixels_is_413(client: TestClient) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (3000, 2000)).save(buf, format="PNG")
    r = _post(client, buf.getvalue(), name="big.png")
    assert r.status_code == 413 and "MP" in r.json()["detail"]


@pytest.mark.parametrize("answers", ['{"fevr": true}', '{"warm": "yes"}', "not json", "[1, 2]"])
def test_bad_answers_are_422(client: TestClient, sample_path: Path, answers: str) -> None:
    r = _post(client, sample_path.read_bytes(), answers=answers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_answers"


def test_a_triage_body_over_its_limit_names_the_limit(client: TestClient) -> None:
    """The JSON limit is 64 KB: 0.9.1 said "over the 0 MB limit", whether the body declared its length or not."""
    body = json.dumps({"pus": True, "note": "x" * 100_000}).encode()
    declared = client.post("/api/v1/triage", content=body, headers={"Content-Type": "application/json"})
    chunked = client.post("/api/v1/triage", content=iter([body[:50_000], body[50_000:]]),
                          headers={"Content-Type": "application/json"})
    for r in (declared, chunked):
        assert r.status_code == 413 and r.json()["code"] == "too_large", r.text
        assert "over the 64 KB limit" in r.json()["detail"], r.text


def test_bad_scale_is_422(client: TestClient, sample_path: Path) -> None:
    r = _post(client, sample_path.read_bytes(), mm_per_px="-1")
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"


def test_unknown_id_and_layer(client: TestClient, sample_path: Path) -> None:
    assert client.get("/api/v1/analyses/nope").json()["code"] == "not_found"
    doc = _post(client, sample_path.read_bytes()).json()
    r = client.get(f"/api/v1/analyses/{doc['id']}/image.png?layers=xray")
    assert r.status_code == 422


def test_triage_endpoint(client: TestClient) -> None:
    r = client.post("/api/v1/triage", json={"red_streaks": True})
    assert r.status_code == 200 and r.json()["triage"]["level"] == "urgent"
    bad = client.post("/api/v1/triage", json={"size_mm": "big"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_answers"


def test_page_and_openapi(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "not a medical device" in page.text
    assert client.get("/static/app.js").status_code == 200
    assert "/api/v1/analyses" in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs").status_code == 200


def test_token_is_required_when_set(sample_path: Path) -> None:
    app = create_app(Settings(token="s3cret", preload_models=False))
    with TestClient(app, base_url="http://localhost") as c:
        assert c.get("/api/v1/analyses/x").status_code == 401
        assert c.get("/").status_code == 401
        assert c.post("/api/v1/triage", json={}).status_code == 401
        assert c.get("/docs").status_code == 401 and c.get("/static/app.js").status_code == 401
        assert c.get("/api/v1/health").status_code == 200
        ok = c.post("/api/v1/triage", json={}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        page = c.get("/?token=s3cret")
        assert page.status_code == 200 and c.cookies.get("comedo_token") == "s3cret"
        assert c.post("/api/v1/triage", json={}).status_code == 200  # the cookie now authenticates


def test_serve_refuses_public_bind_without_token() -> None:
    from typer.testing import CliRunner

    from comedo.cli.main import app

    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"], env={"COMEDO_TOKEN": ""})
    assert result.exit_code == 2 and "token" in result.stderr


def test_array_upload_rgba_png(client: TestClient) -> None:
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[..., :3] = (200, 150, 130)
    rgba[..., 3] = 255
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    assert _post(client, buf.getvalue(), name="x.png").status_code == 201


def test_history_and_compare_on_the_store(tmp_path: Path, sample_path: Path) -> None:
    app = create_app(Settings(preload_models=False, db_url=f"sqlite:///{tmp_path / 'w.sqlite'}",
                              data_dir=str(tmp_path)))
    with TestClient(app, base_url="http://localhost") as c:
        ids = []
        for _ in range(2):  # a retried upload of the same photo: one history row, the same id
            r = c.post("/api/v1/analyses", files={"image": ("f.jpg", sample_path.read_bytes(), "image/jpeg")},
                       data={"subject": "w-1"})
            assert r.status_code == 201 and r.json()["stored_id"]
            ids.append(r.json()["stored_id"])
        other_photo = (TEST_DATA / "other_face.jpg").read_bytes()
        r = c.post("/api/v1/analyses", files={"image": ("g.jpg", other_photo, "image/jpeg")}, data={"subject": "w-1"})
        hist = c.get("/api/v1/subjects/w-1/history").json()
        assert ids[0] == ids[1] and len(hist["analyses"]) == 2
        assert hist["analyses"][0]["zone_lesions"]["left_cheek"] is None  # the sample's far cheek: not visible
        assert isinstance(hist["analyses"][0]["gags_score"], int)
        assert c.get("/api/v1/subjects/w-1/history.png").content[:4] == b"\x89PNG"
        assert c.get("/api/v1/subjects/nobody/history.png").status_code == 404
        bad = c.post("/api/v1/analyses", files={"image": ("f.jpg", sample_path.read_bytes(), "image/jpeg")},
                     data={"subject": "Jane Doe"})
        assert bad.status_code == 422
        same = c.post("/api/v1/comparisons", files={"before": ("a.jpg", sample_path.read_bytes(), "image/jpeg"),
                                                    "after": ("b.jpg", sample_path.read_bytes(), "image/jpeg")})
        assert same.status_code == 201 and same.json()["registration"]["ok"]
        assert same.json()["lesions"]["new"] == 0 and same.json()["lesions"]["resolved"] == 0
        assert c.get(f"/api/v1/comparisons/{same.json()['id']}/side_by_side.png").content[:4] == b"\x89PNG"
        other = (TEST_DATA / "other_face.jpg").read_bytes()
        diff = c.post("/api/v1/comparisons", files={"before": ("a.jpg", sample_path.read_bytes(), "image/jpeg"),
                                                    "after": ("b.jpg", other, "image/jpeg")})
        assert diff.status_code == 201 and not diff.json()["registration"]["ok"]
        assert c.get(f"/api/v1/comparisons/{diff.json()['id']}/overlay.png").status_code == 409
        assert "Before and after" in c.get("/compare").text and "History" in c.get("/history").text
