"""Settings of `make bench` and `make loadtest`: production settings plus the `bench` app.

The `bench` app (the `generate_scale_data` command, the in-product fortunes page under /bench/) is
known only here; `zhongyuan.settings` and `zhongyuan.urls` do not know it. Everything else, the
environment included, is read exactly as production reads it.
"""

from zhongyuan.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
