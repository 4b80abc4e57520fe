"""Mirrors src/talemate/agents/visual/ (a1d209a9): the Visualizer agent."""
