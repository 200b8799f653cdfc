"""Evaluation sets built from text on this machine, and the tuning harness that uses them."""
