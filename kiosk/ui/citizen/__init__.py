"""The citizen's screens: one module per screen, each imported when first shown."""
