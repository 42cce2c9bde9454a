"""Panels of the drill workspace."""
