"""Instruments, assessments, outcome events and graduation over JSON."""

from ninja import Router

from thrive.lib.api import ApiTokenAuth

router = Router(tags=["outcomes"], auth=ApiTokenAuth(people=True))
