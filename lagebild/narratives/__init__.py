"""Narratives: posts grouped by meaning, and volume spikes."""
