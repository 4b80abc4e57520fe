"""Mirrors src/talemate/agents/visual/exceptions.py (a1d209a9:9-22)."""


class VisualAgentError(Exception):
    pass


class ImageEditNotAvailableError(VisualAgentError):
    pass


class TextToImageNotAvailableError(VisualAgentError):
    pass


class ImageAnalysisNotAvailableError(VisualAgentError):
    pass
