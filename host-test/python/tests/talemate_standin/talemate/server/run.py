"""Mirrors the start-up order of src/talemate/server/run.py ``run_server``
(a1d209a9:147-198) that matters to visual backends: the custom agents package
is imported (:155), then ``talemate.agents`` (:157), then the agents are built
from the saved config (:198). Like Talemate's, it configures structlog when
it is imported (at the top of run.py): Talemate's log is structlog's, at INFO unless
``TALEMATE_DEBUG=1``."""

import logging
import os

import structlog

structlog.configure(
    wrapper_class=structlog.make_filtering_bound_logger(
        logging.DEBUG if os.environ.get("TALEMATE_DEBUG", "0") == "1" else logging.INFO
    ),
)


async def start():
    import talemate.agents.custom  # noqa: F401  (run.py:155)
    import talemate.agents  # noqa: F401  (run.py:157)
    import talemate.instance

    await talemate.instance.instantiate_agents()  # run.py:198
    return talemate.instance.get_agent("visual")
