"""Widgets of the quizapp TUI, grouped by the area of the screen they live in."""
