"""Workflows built on ``comedo.pipeline`` (evaluation over folders of photos); the pipeline never imports them."""
