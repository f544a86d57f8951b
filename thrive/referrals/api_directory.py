from ninja import Router

from thrive.lib.api import ApiTokenAuth

router = Router(tags=["directory"], auth=ApiTokenAuth())
