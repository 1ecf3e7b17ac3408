"""Each class of bad input from the hardening issue: one clear line and exit 2 (CLI), a 4xx with {code, detail}
(API), never a traceback, a hang or a 5xx. Plus property tests over the loader and the answers parser."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from typer.testing import CliRunner

from comedo.cli.main import app as cli
from comedo.errors import InvalidInputError
from comedo.explain.answers import decode_answers
from comedo.io import load_image
from comedo.web.app import Settings, create_app
from comedo.web.limits import ResultCache

runner = CliRunner()


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 150, 130)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app(Settings(max_upload_bytes=2_000_000, max_pixels=5_000_000, preload_models=False)),
                    raise_server_exceptions=False, base_url="http://localhost") as c:
        yield c


def _is_error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "detail"} and body["code"] and body["detail"], body
    return body


def _one_line(result) -> str:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.output, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("comedo: error")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("size", [(10000, 2), (640, 1)])
def test_thin_photos_everywhere(tmp_path: Path, size: tuple[int, int], client: TestClient,
                                sample_path: Path) -> None:
    thin = tmp_path / "thin.png"
    thin.write_bytes(_png(size))
    result = runner.invoke(cli, ["analyze", str(thin), str(sample_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "at least 32 px" in _one_line(result)
    assert (tmp_path / "o" / "face_acne04.json").exists()  # the photo after it is still done
    for args in (["report", str(thin), "--out", str(tmp_path / "r.html")], ["compare", str(thin), str(sample_path)],
                 ["triage", str(thin)]):
        result = runner.invoke(cli, args + (["--answers", str(_answers(tmp_path))] if args[0] == "triage" else []))
        assert result.exit_code == 2 and "at least 32 px" in _one_line(result), args
    _is_error(client.post("/api/v1/analyses", files={"image": ("t.png", _png(size), "image/png")}), 415)


def _answers(tmp_path: Path, text: str = '{"pain": "none"}') -> Path:
    path = tmp_path / "answers.json"
    path.write_text(text)
    return path


def test_compare_with_a_1x1_photo(tmp_path: Path, sample_path: Path, client: TestClient) -> None:
    tiny = tmp_path / "tiny.png"
    tiny.write_bytes(_png((1, 1)))
    result = runner.invoke(cli, ["compare", str(sample_path), str(tiny)])
    assert result.exit_code == 2 and "tiny.png" in _one_line(result)
    _is_error(client.post("/api/v1/comparisons", files={"before": ("a.jpg", sample_path.read_bytes(), "image/jpeg"),
                                                        "after": ("b.png", _png((1, 1)), "image/png")}), 415)


@pytest.mark.parametrize("text", ['{"size_mm": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000,
                                  '{"pain": "' + "x" * 2_000_000 + '"}'])
def test_hostile_answers(tmp_path: Path, text: str, client: TestClient) -> None:
    with pytest.raises(InvalidInputError) as caught:
        decode_answers(text)
    assert len(str(caught.value)) < 300
    result = runner.invoke(cli, ["triage", "--answers", str(_answers(tmp_path, text))])
    line = _one_line(result)
    assert result.exit_code == 2 and len(line) < 300  # never the whole 2 MB echoed
    body = _is_error(client.post("/api/v1/triage", content=text.encode(),
                                 headers={"content-type": "application/json"}), 413 if len(text) > 65536 else 422)
    assert len(body["detail"]) < 300
    form = client.post("/api/v1/analyses", files={"image": ("a.png", _png((64, 64)), "image/png")},
                       data={"answers": text})
    assert form.status_code in (413, 422) and len(form.json()["detail"]) < 300


def test_fifos_and_devices(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)
    for args in (["analyze", str(fifo)], ["analyze", "/dev/zero"], ["triage", "--answers", "/dev/zero"],
                 ["triage", "--answers", str(fifo)], ["video", str(fifo)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2 and "not a regular file" in _one_line(result), args


def test_out_that_is_a_file(tmp_path: Path, sample_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("mine")
    result = runner.invoke(cli, ["compare", str(sample_path), str(sample_path), "--out", str(target)])
    assert result.exit_code == 2 and "not a folder" in _one_line(result) and target.read_text() == "mine"


def test_video_refuses_a_still_photo(sample_path: Path) -> None:
    result = runner.invoke(cli, ["video", str(sample_path)])
    assert result.exit_code == 2 and "still photo" in _one_line(result)


def test_every_api_error_has_code_and_detail_and_is_in_the_schema(client: TestClient) -> None:
    assert _is_error(client.get("/no/such/route"), 404)["code"] == "not_found"
    _is_error(client.get("/api/v1/analyses/nope"), 404)
    _is_error(client.post("/api/v1/analyses", content=b"--x\r\n", headers={"content-type": "multipart/form-data"}),
              400)
    _is_error(client.post("/api/v1/analyses", files={"image": ("a.png", b"", "image/png")}), 415)
    _is_error(client.post("/api/v1/triage", content=b"x" * 100_000, headers={"content-type": "application/json"}), 413)
    # A body that lies about nothing but is simply too big is refused from its declared length alone.
    _is_error(client.post("/api/v1/triage", content=b"{}", headers={"content-length": "90000000",
                                                                     "content-type": "application/json"}), 413)
    _is_error(client.put("/api/v1/triage"), 405)
    schema = client.get("/openapi.json").json()
    post = schema["paths"]["/api/v1/analyses"]["post"]["responses"]
    assert {"404", "413", "415", "422"} <= set(post)
    assert post["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


def test_security_headers_and_offline_docs(client: TestClient) -> None:
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    docs = client.get("/docs").text
    assert "cdn" not in docs and "/docs-assets/swagger-ui-bundle.js" in docs
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/favicon.ico").status_code == 200


def test_upload_limit_message_matches_the_docs(client: TestClient) -> None:
    body = _is_error(client.post("/api/v1/analyses", files={"image": ("a.jpg", b"x" * 2_100_000, "image/jpeg")}),
                     413)
    # Settings(max_upload_bytes=2_000_000) is 1.9 MiB, said to one decimal as every limit is since the 64 KB triage
    # body read "0 MB" (issue 35 item 16); the docs' limits are whole MiB ("25 MB").
    assert "1.9 MB" in body["detail"]


def test_result_cache_is_bounded_by_bytes() -> None:
    cache = ResultCache(capacity=200, max_bytes=1000)
    keys = [cache.put(i, 300) for i in range(10)]
    assert cache.total <= 1000 and len(cache.items) == 3
    assert cache.get(keys[-1]) == 9
    big = cache.put("big", 5000)  # one over-size result is still kept (the one just made), alone
    assert cache.get(big) == "big" and len(cache.items) == 1


def test_session_steps_are_not_recorded_twice(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    env = {"COMEDO_DATA_DIR": str(tmp_path)}
    started = runner.invoke(cli, ["session", "start", "s-1", "--db", db], env=env)
    assert started.exit_code == 0, started.output
    session = started.stdout.split()[1]  # "session KEY started for s-1"
    assert runner.invoke(cli, ["session", "step", session, "sterilise", "--db", db], env=env).exit_code == 0
    again = runner.invoke(cli, ["session", "step", session, "sterilise", "--db", db], env=env)
    assert again.exit_code == 2 and "already recorded" in _one_line(again)
    assert runner.invoke(cli, ["session", "step", session, "sterilise", "--again", "--db", db],
                         env=env).exit_code == 0


def test_a_bad_subject_is_refused_before_the_analysis(tmp_path: Path, sample_path: Path) -> None:
    result = runner.invoke(cli, ["analyze", str(sample_path), "--subject", "Jane Doe", "--save",
                                 "--db", f"sqlite:///{tmp_path / 'x.db'}"], env={"COMEDO_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2 and "subject id" in _one_line(result) and "lesions" not in result.stdout


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_loader_never_raises_anything_but_invalid_input(data: bytes) -> None:
    try:
        load_image(data)
    except InvalidInputError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12).map(json.dumps)))
def test_answers_parser_never_raises_anything_but_invalid_input(text: str) -> None:
    try:
        decode_answers(text)
    except InvalidInputError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2048), st.text(max_size=200))
def test_api_answers_4xx_never_5xx(client: TestClient, image: bytes, answers: str) -> None:
    r = client.post("/api/v1/analyses", files={"image": ("x.jpg", image, "image/jpeg")}, data={"answers": answers})
    assert r.status_code < 500 and set(r.json()) >= {"code", "detail"} if r.status_code >= 400 else True
    t = client.post("/api/v1/triage", content=answers.encode(), headers={"content-type": "application/json"})
    assert t.status_code < 500


def test_each_session_step_says_what_comes_next(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    env = {"COMEDO_DATA_DIR": str(tmp_path)}
    session = runner.invoke(cli, ["session", "start", "n-1", "--db", db], env=env).stdout.split()[1]
    step = runner.invoke(cli, ["session", "step", session, "sterilise", "--db", db], env=env)
    assert "next: find_the_core - Find the plug" in step.stdout


def test_session_list_and_show(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    env = {"COMEDO_DATA_DIR": str(tmp_path)}
    session = runner.invoke(cli, ["session", "start", "l-1", "--db", db], env=env).stdout.split()[1]
    runner.invoke(cli, ["session", "step", session, "sterilise", "--note", "alcohol", "--db", db], env=env)
    listed = runner.invoke(cli, ["session", "list", "l-1", "--db", db], env=env)
    assert listed.exit_code == 0 and session in listed.stdout and "(sterilise)" in listed.stdout
    shown = runner.invoke(cli, ["session", "show", session, "--db", db], env=env)
    assert shown.exit_code == 0 and "1. sterilise" in shown.stdout and "note: alcohol" in shown.stdout
    assert "next: find_the_core" in shown.stdout
    none = runner.invoke(cli, ["session", "list", "nobody", "--db", db], env=env)
    assert none.exit_code == 2 and "no extraction sessions for subject 'nobody'" in _one_line(none)
