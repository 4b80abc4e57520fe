"""Mirrors src/talemate/agents/registry.py (a1d209a9:1-27)."""

AGENT_CLASSES: dict = {}


class register:
    """registry.py:6-19: ``@register()`` stores the class by ``agent_type``."""

    def __init__(self, condition=None):
        self.condition = condition

    def __call__(self, agent_class):
        if self.condition and not self.condition():
            return agent_class
        AGENT_CLASSES[agent_class.agent_type] = agent_class
        return agent_class


def get_agent_class(name):
    return AGENT_CLASSES.get(name)
