"""Panels of the home screen."""
