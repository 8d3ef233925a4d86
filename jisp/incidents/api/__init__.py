"""The incidents API under /api/v1/incidents: reports (members' systems) and cases."""

from ninja import Router

from jisp.incidents.api import cases, reports, support

router = Router(tags=["incidents"])
router.add_router("/reports", reports.router)
router.add_router("/cases", cases.router)
router.add_router("/support", support.router)
