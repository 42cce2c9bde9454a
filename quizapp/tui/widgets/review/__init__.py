"""Widgets of the review and stats screens."""
