"""Mirrors the start-up order of src/talemate/server/run.py ``run_server``
(a1d209a9:147-198) that matters to visual backends: the custom agents package
is imported (:155), then ``talemate.agents`` (:157), then the agents are built
from the saved config (:198)."""


async def start():
    import talemate.agents.custom  # noqa: F401  (run.py:155)
    import talemate.agents  # noqa: F401  (run.py:157)
    import talemate.instance

    await talemate.instance.instantiate_agents()  # run.py:198
    return talemate.instance.get_agent("visual")
