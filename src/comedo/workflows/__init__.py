"""Workflows built on ``comedo.pipeline``: batch, video, compare, evaluation and export; the pipeline never
imports them."""
