"""The SQLite catalogue: SQLAlchemy models (models.py), the atomic build
(build.py) and the read-only service layer the UI and CLI use (service.py)."""
