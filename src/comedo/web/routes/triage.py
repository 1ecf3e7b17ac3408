"""``/api/v1/triage``: the triage from answers alone, without a photo."""

from __future__ import annotations

from fastapi import APIRouter, Request

from comedo.errors import InvalidInputError
from comedo.schema import TriageDocument, report_document
from comedo.web.errors import ApiError

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["triage"])


@router.post("/triage", response_model=TriageDocument,
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "description": "the answers (see the Answers schema in the docs)"}}}}})
async def triage_route(request: Request) -> TriageDocument:
    from comedo.explain.answers import decode_answers
    from comedo.pipeline import triage_report

    body = await request.body()  # bounded by BodyLimit
    try:
        return report_document(triage_report(decode_answers(body, source="answers")))
    except InvalidInputError as exc:
        raise ApiError(422, "invalid_answers", str(exc)) from None
