"""Benchmarks: each prints JSON lines {"name", "value", "unit", "target"}; none pass or fail."""
