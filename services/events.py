"""A small publish/subscribe bus: services announce what happened, the console listens.

Publishing is synchronous and cheap; subscribers that live on another thread (the console's event loop) are
responsible for hopping threads (Textual's ``call_from_thread``). Headless runs simply have no subscribers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable



@dataclass(frozen=True)
class Event:
    topic: str  # e.g. "job.progress", "session.state", "alert", "activity"
    data: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)


Subscriber = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[tuple[Subscriber, tuple[str, ...] | None]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Subscriber, topics: tuple[str, ...] | None = None) -> Callable[[], None]:
        """Call ``callback`` for events whose topic starts with one of ``topics`` (all when None)."""
        entry = (callback, topics)
        with self._lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)

        return unsubscribe

    def publish(self, topic: str, **data: Any) -> None:
        event = Event(topic, data)
        with self._lock:
            subscribers = list(self._subscribers)
        for callback, topics in subscribers:
            if topics is None or topic.startswith(topics):
                try:
                    callback(event)
                except Exception:  # a broken subscriber must not break the service that published
                    from loguru import logger

                    logger.exception("event subscriber failed for {}", topic)
