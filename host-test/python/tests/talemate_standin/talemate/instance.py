"""Mirrors src/talemate/instance.py (a1d209a9): the agent instances."""

import talemate.agents as agents
from talemate.config import get_config

# instance.py:19
AGENTS: dict = {}


def get_agent(typ: str):
    """instance.py:23-29: the agent, or KeyError before it exists."""
    agent = AGENTS.get(typ)
    if not agent:
        raise KeyError(f"Agent {typ} has not been instantiated")
    return agent


async def instantiate_agents():
    """instance.py:154-188: each agent class is built with no arguments, its
    saved actions applied (``apply_config``) and only then stored in ``AGENTS``."""
    config = get_config()
    for typ, cls in agents.AGENT_CLASSES.items():
        if typ in AGENTS:
            continue
        saved = config.agents.get(typ)
        agent = cls()
        if saved and saved.actions:
            await agent.apply_config(actions=saved.actions, enabled=saved.enabled)
        AGENTS[typ] = agent
        await agent.emit_status()


async def agent_ready_checks():
    """instance.py:140-144: what server/api.py:100-105 runs about every 3 s."""
    for agent in AGENTS.values():
        if agent and agent.enabled:
            await agent.ready_check()
