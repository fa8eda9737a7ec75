"""Tests of the source formats."""
