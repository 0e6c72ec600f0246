"""Work waiting in the user's session for a confirm step (a drafted plan, a checked table).

Nothing is stored in the database before the user confirms; what waits is kept in the session
under one key per kind, each entry with its owner and the time it was made, and is dropped once
older than the kind's time to live.
"""

import time


def pending(request, key: str, ttl_seconds: int) -> dict:
    """The user's waiting entries of one kind (token → entry), the expired and foreign left out."""
    waiting = request.session.get(key)
    if not isinstance(waiting, dict):
        return {}
    now = time.time()
    return {
        token: entry
        for token, entry in waiting.items()
        if isinstance(entry, dict)
        and entry.get("user") == request.user.pk
        and now - entry.get("created", 0) < ttl_seconds
    }
