"""Stand-in for Talemate 0.36.1 (vegu-ai/talemate@a1d209a9aedb2f26853416f2adb617be31404b49),
only the part the visual-backend adapter relies on. See ../README.md."""

#: The commit every symbol in this package mirrors.
TALEMATE_COMMIT = "a1d209a9aedb2f26853416f2adb617be31404b49"
