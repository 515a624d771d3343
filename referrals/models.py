"""Models arrive with their issue; the app exists now so its label is fixed."""
