"""Gradio interfaces (installed as ``showcase.apps``): one module per demo, plus the hub."""
