"""Widgets of the card browser (quizapp/tui/screens/cards.py)."""
