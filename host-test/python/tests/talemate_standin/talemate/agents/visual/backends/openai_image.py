"""Mirrors the registration of src/talemate/agents/visual/backends/openai_image.py
(a1d209a9): Talemate's own backend named ``openai`` (label "OpenAI", :45-55)
and its agent methods (``openai_backend``..., :395-447), so that the names an
external backend may not take are taken here too. It does no work."""

import talemate.agents.visual.backends as backends
from talemate.agents.visual.schema import PROMPT_TYPE

BACKEND_NAME = "openai"


@backends.register
class Backend(backends.Backend):
    name = BACKEND_NAME
    label = "OpenAI"
    image_create = True
    image_edit = True
    image_analyzation = True
    description = "OpenAI GPT-Image-1 image generation and editing."

    prompt_type: PROMPT_TYPE = PROMPT_TYPE.DESCRIPTIVE


class OpenAIMixin:
    @classmethod
    def add_actions(cls, actions):  # :274-330 adds openai_image_create/_edit/_analyzation
        return actions

    async def openai_backend(self, old_config=None, force=False):
        return Backend()

    async def openai_backend_image_edit(self, old_config=None, force=False):
        return Backend()

    async def openai_backend_image_analyzation(self, old_config=None, force=False):
        return Backend()
