"""Who must use two-step sign-in.

The head, the DSL and the coordinator see every case of their school, safeguarding included,
so a stolen password alone must not open their accounts; nor a superuser's, who can change
anyone's. Everyone else may turn two-step sign-in on for themselves; once on, it is asked for
at every sign-in.
"""

from mentoring.models import Role
from mentoring.permissions import has_role

SECOND_FACTOR_ROLES = (Role.HEAD, Role.DSL, Role.COORDINATOR)


def second_factor_required(user):
    return user.is_superuser or has_role(user, *SECOND_FACTOR_ROLES)
