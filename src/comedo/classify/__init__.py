"""Lesion types and photo flags (close-up, instrument in frame) from the shipped networks."""
