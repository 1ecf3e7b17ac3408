"""Lesion detectors (the shipped network and the classical baseline), decoding, and blackhead plugs."""
