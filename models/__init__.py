"""Shipped checkpoints (installed as ``showcase.models``): <demo>/<name>.keras + <name>.card.json."""
