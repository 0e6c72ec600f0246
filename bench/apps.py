from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's code and synthetic data: enabled only by `bench.settings`, never in production."""

    name = "bench"
    verbose_name = "benchmark"
