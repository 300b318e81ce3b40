"""Writes of the model catalogue, one module per capability."""
