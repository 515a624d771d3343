"""How backup codes are hashed: PBKDF2, as for passwords, with a work factor fit for them.

A backup code carries about 50 random bits, where a password may carry a handful, so the
million rounds a password needs would only make checking a code (up to ten hashes) take
seconds. The algorithm name stays Django's "pbkdf2_sha256" and the rounds are stored in
each hash, so ``check_password`` reads them without this class being in PASSWORD_HASHERS
(Django's PBKDF2PasswordHasher, there by default, must stay there).
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class BackupCodeHasher(PBKDF2PasswordHasher):
    iterations = 60_000


BACKUP_CODE_HASHER = BackupCodeHasher()
