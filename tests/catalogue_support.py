"""Hand-made catalogue pieces for the small build and bundle tests."""

from kiosk.catalogue.model import Service


def svc(region: str, sid: str) -> Service:
    """A service with only what a build needs: its region, id and one topic."""
    return Service(region=region, id=sid, name=f"{region}-{sid}", category="c", audience="个人", topics=["t"],
                   ref="§1")
