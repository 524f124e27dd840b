"""HTTP routes of the hris service (thin: validate, call a handler)."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1")
