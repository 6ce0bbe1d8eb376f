"""Shipped checkpoints (installed as ``showcase.models``): <demo>/<name>.keras + card."""
