"""Everything the model knows about Mesa's internals, in one place.

Jongeren are Mesa agents, registered with the model when a need arises and deregistered when
the trajectory ends: several million times in a national run. Mesa wraps registration in its
signal emitter, which costs about half of it even when nobody listens, and formats a debug
message on every call even when debug logging is off. So when no one has subscribed to the
model's agent signals, no batch of signals is being collected, no dataset tracks the agent's
type and Mesa's model logger is not at DEBUG — when the emitter, the message and the dataset
loop would do nothing — an agent enters (and leaves) Mesa's own bookkeeping directly: the
model-wide and the per-type agent set and the id counter. Otherwise Mesa's own path runs,
signals and messages included. tests/test_mesa_integration.py checks both paths, the ids, the
registries and the signals, and runs under the Mesa 4 pre-release too (docs/performance.md).

Checked with Mesa 3.5.1 and 4.0.0a0 (whose ``Agent.__init__`` also sets ``current_action``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import mesa
from mesa.model import ModelSignals
from mesa.model import _mesa_logger as _MESA_MODEL_LOG  # Mesa's model logger

if TYPE_CHECKING:
    from .model import ZorgnetwerkModel

MESA_MAJOR = int(mesa.__version__.split(".")[0])
#: The attributes ``mesa.Agent.__init__`` sets: a class with ``__slots__`` lists them too, so that
#: no instance dict is created (Mesa 4 adds ``current_action``).
AGENT_SLOTS: tuple[str, ...] = ("model", "unique_id", "pos", "current_action")

#: Mesa's agent signals (observable, signal type): a subscription to one of them switches the
#: direct registration off for that signal.
AGENT_ADDED = ("agents", ModelSignals.AGENT_ADDED)
AGENT_REMOVED = ("agents", ModelSignals.AGENT_REMOVED)
_DEBUG = logging.DEBUG

_register_unsignalled = mesa.Model.register_agent.__wrapped__
_deregister_unsignalled = mesa.Model.deregister_agent.__wrapped__


def unobserved(model: "ZorgnetwerkModel", signal: tuple, agent_type: type) -> bool:
    """Would Mesa's registration do nothing but its bookkeeping? No subscriber to ``signal``, no
    batch of signals being collected, no dataset tracking ``agent_type``, Mesa's model logger
    not at DEBUG."""
    return (model._batch_context is None and not agent_type._datasets
            and (not model.subscribers or signal not in model.subscribers)
            and not _MESA_MODEL_LOG.isEnabledFor(_DEBUG))


#: False once an internal this module relies on was not found (another Mesa): from then on
#: every agent goes through Mesa's own registration, which is slower but always right.
_direct = True


def register_directly(agent: Any, model: "ZorgnetwerkModel") -> bool:
    """Enter ``agent`` into Mesa's registries without signal or message, when nobody would see
    them; False when Mesa's own ``Agent.__init__`` must run (somebody listens, the agent is the
    first of its type, for which Mesa creates the per-type set, or this Mesa's internals are
    not the ones this module knows)."""
    global _direct
    if not _direct:
        return False
    try:  # (every internal is read before anything is written)
        by_type = model._agents_by_type.get(type(agent))
        if by_type is None or not unobserved(model, AGENT_ADDED, type(agent)):
            return False
        registry, type_registry, next_id = model._all_agents._agents, by_type._agents, model.agent_id_counter
    except AttributeError:
        _direct = False
        return False
    agent.model = model
    agent.pos = None
    if MESA_MAJOR >= 4:
        agent.current_action = None
    registry[agent] = None
    agent.unique_id = next_id
    model.agent_id_counter = next_id + 1
    type_registry[agent] = None
    return True


def deregister(agent: Any) -> None:
    """Take ``agent`` out of the model's registries, as ``mesa.Agent.remove`` does (removing
    twice is harmless): directly when nobody would see it, otherwise through Mesa (signal,
    message, datasets). Mesa's version wraps the call in ``contextlib.suppress``, a context
    manager per call; ``try`` costs nothing when nothing is raised."""
    model = agent.model
    if _direct and unobserved(model, AGENT_REMOVED, type(agent)):
        try:
            del model._agents_by_type[type(agent)]._agents[agent]
            del model._all_agents._agents[agent]
        except KeyError:
            pass
        return
    try:
        model.deregister_agent(agent)
    except KeyError:
        pass
    for dataset in agent._datasets:
        model.data_registry[dataset].remove_agent(agent)


class QuietRegistration:
    """Model mixin: the registration of the other agents (gemeenten, aanbieders, expertteams)
    without the signal emitter when nobody has subscribed (Mesa's bookkeeping and debug message
    still run)."""

    def register_agent(self, agent):  # noqa: ANN001, ANN201 - Mesa's signature
        if self._batch_context is None and AGENT_ADDED not in self.subscribers:
            return _register_unsignalled(self, agent)
        return super().register_agent(agent)

    def deregister_agent(self, agent):  # noqa: ANN001, ANN201 - Mesa's signature
        if self._batch_context is None and AGENT_REMOVED not in self.subscribers:
            return _deregister_unsignalled(self, agent)
        return super().deregister_agent(agent)
