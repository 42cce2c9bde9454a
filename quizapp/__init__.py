"""quizapp: drill the concepts and the code of LLM / ML-systems interviews in the terminal."""

__version__ = "0.2.0"
