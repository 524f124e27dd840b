"""HTTP routes of the frameworks service (thin: validate, call a handler)."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1")
