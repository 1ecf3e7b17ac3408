"""Constants the detector's network, its training targets and its export share.

Kept free of torch so target construction can be tested without the training extra.
"""

STRIDE = 4
SIZE_UNIT_PX = 16.0
MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
STD = (0.229 * 255, 0.224 * 255, 0.225 * 255)
