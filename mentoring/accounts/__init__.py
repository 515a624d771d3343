"""Signing in safely: lockout after failed attempts, two-step sign-in, session time limits."""
