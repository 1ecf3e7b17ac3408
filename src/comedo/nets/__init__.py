"""The shipped networks: the one ONNX Runtime session builder, the model card and the registry of weights.

Nothing here is downloaded; the weights live in ``comedo/nets/weights`` with a card each."""
