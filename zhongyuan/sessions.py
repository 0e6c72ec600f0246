"""Sessions read from Redis, written to the database, and working while Redis is down.

Django's `cached_db` engine already falls back to the database when reading or saving a session
fails in the cache, but not when it stores a session just read from the database (every page after
a miss), asks whether a session key exists (every log-in) or deletes one (every log-out): a Redis
that does not answer then fails the request. Here all three go to the database alone in that case,
which holds every session anyway.
"""

import logging

from django.contrib.sessions.backends import cached_db, db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            return super().load()
        except Exception:
            logger.warning("session cache unavailable; reading the database", exc_info=True)
            return db.SessionStore.load(self)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:
            logger.warning("session cache unavailable; asking the database", exc_info=True)
            return db.SessionStore.exists(self, session_key)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except Exception:
            logger.warning("session cache unavailable; deleting from the database", exc_info=True)
            db.SessionStore.delete(self, session_key)
