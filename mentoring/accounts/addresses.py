"""The address a request came from, for the sign-in lockout."""

from django.conf import settings


def client_address(request):
    """REMOTE_ADDR, or the client's address as the trusted proxies in front of the app saw it.

    Behind ``TRUSTED_PROXY_COUNT`` proxies that each append to X-Forwarded-For, the client is
    that many entries from the right; anything further left was written by the client and
    could be anything.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
