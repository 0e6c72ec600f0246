"""The client's address for login throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

Without a reverse proxy (the default) it is REMOTE_ADDR, the address of the connection; an
X-Forwarded-For header is then whatever the client wrote and is ignored, so nobody can dodge a
lock or lock someone else by forging it.

Behind our own reverse proxies (BEHIND_TLS_PROXY, TRUSTED_PROXY_COUNT of them in a chain) every
connection comes from the last proxy, so REMOTE_ADDR would put all users behind one address and
five wrong passwords from anyone would lock a named account for everybody. Each proxy appends
the address it received the request from to X-Forwarded-For, so the client's address is the
TRUSTED_PROXY_COUNT-th entry from the right: the entries left of it came from the client and
are not trusted. The server itself must then be reachable only through the proxy (gunicorn binds
127.0.0.1 by default).
"""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < count:
        # Not forwarded by all of our proxies: only the connection's address is known.
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        logger.warning("X-Forwarded-For entry %r from our proxy is not an address", candidate[:100])
        return remote
