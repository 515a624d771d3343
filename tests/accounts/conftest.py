import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # These tests sign in through the real form many times; they check who gets in, not how
    # strongly passwords are stored. PBKDF2 stays known: backup codes are hashed with it.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
