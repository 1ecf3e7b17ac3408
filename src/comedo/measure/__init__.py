"""Measurements on one photo's working copies: colour planes, skin, dark spots, redness, quality.

Plain functions on arrays; they know nothing of networks, grades or wording."""
