"""`make bench`: load test of the progress pages against a baseline view (see bench/run.py)."""
