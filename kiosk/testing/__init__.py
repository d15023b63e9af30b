"""Tooling that drives the real window as a finger does: tests, screenshot tools, the benchmark."""
