"""医保服务大厅自助一体机 — medical-insurance service-hall kiosk.

The core (catalogue, session flow, printing documents) has no Qt imports;
the touch UI lives in kiosk.ui.
"""

__version__ = "0.1.0"
