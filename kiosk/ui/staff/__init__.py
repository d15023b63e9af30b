"""Staff mode's screens: the hidden gesture, PIN pad and tools (logic in kiosk/staff)."""
