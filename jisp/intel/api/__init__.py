"""The intel API under /api/v1/intel: indicators, extraction, sightings, verdicts, assets, STIX,
matching."""

from ninja import Router

from jisp.intel.api import assets, indicators, match, sightings, stix, verdicts

router = Router(tags=["intel"])
router.add_router("/indicators", indicators.router)
router.add_router("/sightings", sightings.router)
router.add_router("/verdicts", verdicts.router)
router.add_router("/assets", assets.router)
router.add_router("/match", match.router)
router.add_router("/stix", stix.router)
