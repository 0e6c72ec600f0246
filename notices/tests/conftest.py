# The people and the item of the supervision tests: the notices follow their loop.
from supervision.tests.conftest import _media, item, people  # noqa: F401
