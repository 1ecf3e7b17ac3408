"""The face map: landmarks (``mesh``), zones and the danger triangle drawn from them (``zones``)."""
