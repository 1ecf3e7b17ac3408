"""The OpenAPI schema is true: each JSON route's answer validates against its declared response model, and the
store reaches routes through ``Depends`` (so a test or an embedding app can give its own)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

import comedo
from comedo.store.repository import Store
from comedo.web.app import Settings, create_app
from comedo.web.schemas import AnalysisResponse, ComparisonResponse, Health, HistoryResponse
from comedo.web.settings import get_store


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(f"sqlite:///{tmp_path / 'h.sqlite'}", data_dir=tmp_path)
    yield s
    s.close()


def test_json_routes_answer_their_response_models(store: Store, sample_path: Path, tmp_path: Path) -> None:
    app = create_app(Settings(preload_models=False, data_dir=str(tmp_path / "unused")))
    app.dependency_overrides[get_store] = lambda: store
    with TestClient(app, base_url="http://localhost") as client:
        Health.model_validate(client.get("/api/v1/health").json())
        made = client.post("/api/v1/analyses", files={"image": ("face.jpg", sample_path.read_bytes(), "image/jpeg")})
        assert made.status_code == 201
        analysis = AnalysisResponse.model_validate(made.json())
        AnalysisResponse.model_validate(client.get(f"/api/v1/analyses/{analysis.id}").json())
        store.save_analysis(comedo.analyze(sample_path), subject_id="p1")
        history = HistoryResponse.model_validate(client.get("/api/v1/subjects/p1/history").json())
        assert len(history.analyses) == 1 and history.analyses[0].lesion_count == len(analysis.lesions)
        flat = np.full((200, 200, 3), 150, np.uint8)
        Image.fromarray(flat).save(tmp_path / "flat.png")
        data = (tmp_path / "flat.png").read_bytes()
        compared = client.post("/api/v1/comparisons", files={"before": ("a.png", data, "image/png"),
                                                             "after": ("b.png", data, "image/png")})
        assert compared.status_code == 201, compared.text
        ComparisonResponse.model_validate(compared.json())
    assert not (tmp_path / "unused").exists()  # the overridden store was used, not the settings' one
