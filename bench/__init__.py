"""Benchmarks: each prints JSON lines {"name", "value", "unit", "target"}; nothing passes or fails."""
