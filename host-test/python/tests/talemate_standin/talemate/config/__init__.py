"""Mirrors src/talemate/config/ (a1d209a9): the process-wide config.

- ``OpenAIConfig``: config/schema.py:225-226 (``api_key: str | None``).
- ``Config.agents`` / ``Config.openai``: config/schema.py:604, :608.
- ``get_config()``: config/state.py:33-37 (loaded once, then the same object).

Saved agent settings are kept as Talemate's ``config.yaml`` holds them:
``agents.<type>.actions.<action>.config.<key>.value`` (agents/base.py:610-642).
"""

from typing import Any, Dict, Optional

import pydantic


class OpenAIConfig(pydantic.BaseModel):
    api_key: Optional[str] = None


class AgentConfig(pydantic.BaseModel):
    """config/schema.py ``Agent``: name, client, enabled, actions."""

    name: Optional[str] = None
    client: Optional[str] = None
    enabled: bool = True
    actions: Dict[str, Any] = pydantic.Field(default_factory=dict)


class Config(pydantic.BaseModel):
    agents: Dict[str, AgentConfig] = pydantic.Field(default_factory=dict)
    openai: OpenAIConfig = pydantic.Field(default_factory=OpenAIConfig)


CONFIG: Optional[Config] = None


def get_config() -> Config:
    global CONFIG
    if CONFIG is None:
        CONFIG = Config()
    return CONFIG
