"""Who may talk to the server (issue 35, items 2 and 3): the Host it answers to, writes from other sites refused,
and every refusal carrying the same security headers as any other answer."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from comedo.web.app import Settings, create_app

SECURITY_HEADERS = {"content-security-policy": "frame-ancestors 'none'", "x-content-type-options": "nosniff",
                    "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def _refused(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.json().keys() == {"code", "detail"} and response.json()["code"] == code, response.json()
    assert response.json()["detail"]
    for name, value in SECURITY_HEADERS.items():
        assert value in response.headers.get(name, ""), (name, dict(response.headers))


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), (200, 150, 130)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """A server as `comedo serve` runs it by default: loopback, no token, a history store."""
    where = tmp_path_factory.mktemp("guard")
    app = create_app(Settings(preload_models=False, db_url=f"sqlite:///{where / 'g.sqlite'}", data_dir=str(where)))
    with TestClient(app, base_url="http://localhost:8000") as client:
        yield client


@pytest.mark.parametrize("host", ["attacker.rebind.example", "attacker.rebind.example:8000", "127.0.0.1.nip.io",
                                  "localhost.", "localhost:8000@evil.example", "", "0.0.0.0:8000"])
def test_without_token_only_loopback_names_are_answered(local: TestClient, host: str) -> None:
    _refused(local.get("/api/v1/subjects/alice/history", headers={"Host": host}), 400, "host_not_allowed")
    _refused(local.get("/api/v1/health", headers={"Host": host}), 400, "host_not_allowed")


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]",
                                  "[::1]:8000", "LOCALHOST:8000"])
def test_loopback_names_with_or_without_port(local: TestClient, host: str) -> None:
    assert local.get("/api/v1/health", headers={"Host": host}).status_code == 200
    answer = local.get("/api/v1/subjects/nobody/history", headers={"Host": host})
    assert answer.status_code == 200 and answer.json()["analyses"] == []


def test_two_host_headers_are_refused() -> None:
    """A raw ASGI request with two Host headers: which one a proxy would read is unknowable, so neither counts."""
    import anyio

    from comedo.web.guard import RequestGuard

    sent: list[dict] = []

    async def app(scope: dict, receive: object, send: object) -> None:
        raise AssertionError("the route must not run")

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "scheme": "http",
             "headers": [(b"host", b"localhost"), (b"host", b"evil.example")]}
    anyio.run(RequestGuard(app, allowed_hosts=["localhost"], token=None), scope, None, send)
    assert sent[0]["status"] == 400


def test_a_page_on_another_site_cannot_write_into_the_history(local: TestClient) -> None:
    """The attack of item 2: a multipart POST from http://evil.example saved a photo into a subject's history."""
    files = {"image": ("x.png", _png(), "image/png")}
    for headers in ({"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
                    {"Origin": "http://evil.example"},  # an older browser: Origin only
                    {"Sec-Fetch-Site": "cross-site"},  # a browser that left Origin out
                    {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"},  # another port, same site
                    {"Origin": "null"}):  # a sandboxed frame or a file:// page
        _refused(local.post("/api/v1/analyses", files=files, data={"subject": "victim"}, headers=headers),
                 403, "cross_site_request")
        _refused(local.post("/api/v1/triage", json={"fever": True}, headers=headers), 403, "cross_site_request")
    assert local.get("/api/v1/subjects/victim/history").json()["analyses"] == []  # nothing was saved


def test_own_page_and_non_browser_clients_keep_writing(local: TestClient) -> None:
    for headers in ({"Origin": "http://localhost:8000", "Sec-Fetch-Site": "same-origin"},  # the page itself
                    {"Origin": "http://127.0.0.1:8000", "Host": "127.0.0.1:8000"},
                    {"Sec-Fetch-Site": "none"},  # typed into the address bar
                    {}):  # curl, scripts, the CLI: no Origin
        assert local.post("/api/v1/triage", json={"fever": True}, headers=headers).status_code == 200, headers
    # Reading is not writing: another site's GET is the browser's business (it cannot read the answer).
    assert local.get("/api/v1/health", headers={"Origin": "http://evil.example",
                                                "Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_with_a_token_host_must_be_a_configured_name() -> None:
    app = create_app(Settings(token="s3cret", allowed_hosts=("comedo.lan", "192.168.1.20"), preload_models=False))
    auth = {"Authorization": "Bearer s3cret"}
    with TestClient(app, base_url="http://comedo.lan:8000") as client:
        assert client.post("/api/v1/triage", json={}, headers=auth).status_code == 200
        assert client.post("/api/v1/triage", json={}, headers={**auth, "Host": "192.168.1.20"}).status_code == 200
        for host in ("evil.example", "localhost:8000", "comedo.lan.evil.example"):
            _refused(client.post("/api/v1/triage", json={}, headers={**auth, "Host": host}), 400, "host_not_allowed")
        _refused(client.post("/api/v1/triage", json={}, headers={**auth, "Origin": "http://evil.example"}),
                 403, "cross_site_request")
        _refused(client.post("/api/v1/triage", json={}), 401, "unauthorized")  # the token is still required


def test_a_token_less_server_cannot_be_given_other_names() -> None:
    with pytest.raises(ValueError, match="needs a token"):
        Settings(allowed_hosts=("comedo.lan",))
    with pytest.raises(ValueError, match="not a host name"):
        Settings(token="t", allowed_hosts=("http://comedo.lan/",))


def test_refusals_carry_the_security_headers() -> None:
    """Item 3: the 401 answered before the header middleware ran; now every answer, refusals included, has them."""
    app = create_app(Settings(token="s3cret", preload_models=False, max_json_bytes=100))
    with TestClient(app, base_url="http://localhost") as client:
        _refused(client.get("/api/v1/analyses/x"), 401, "unauthorized")
        _refused(client.get("/"), 401, "unauthorized")
        _refused(client.get("/", headers={"Host": "evil.example"}), 400, "host_not_allowed")
        _refused(client.post("/api/v1/triage", json={}, headers={"Origin": "http://evil.example"}),
                 403, "cross_site_request")
        _refused(client.post("/api/v1/triage", content=b"{" + b" " * 200 + b"}",
                             headers={"Authorization": "Bearer s3cret", "Content-Type": "application/json"}),
                 413, "too_large")
        page = client.get("/?token=s3cret")
        assert page.status_code == 200 and page.headers["x-frame-options"] == "DENY"


def test_comparison_photos_are_decoded_inside_the_concurrency_limit(sample_path: Path) -> None:
    """Item 16: with every worker slot taken, a comparison waits for one before it reads or decodes anything (it
    used to decode both photos on the event loop first), and the event loop keeps answering meanwhile."""
    app = create_app(Settings(preload_models=False, max_concurrent=1))
    state = app.state.comedo
    with TestClient(app, base_url="http://localhost") as client:
        holder = object()
        client.portal.call(state.limiter.acquire_on_behalf_of, holder)
        answers: list = []
        files = {"before": ("a.jpg", b"not a photo", "image/jpeg"), "after": ("b.jpg", b"nor this", "image/jpeg")}
        poster = threading.Thread(target=lambda: answers.append(client.post("/api/v1/comparisons", files=files)))
        poster.start()
        try:
            poster.join(timeout=1.5)
            assert not answers, "the photos were decoded while every worker slot was taken"
            assert client.get("/api/v1/health").status_code == 200
        finally:
            client.portal.call(state.limiter.release_on_behalf_of, holder)
            poster.join(timeout=60)
        _refused(answers[0], 415, "not_an_image")
