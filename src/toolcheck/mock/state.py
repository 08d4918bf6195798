"""Stateful mode: resources inferred from paths, kept in memory, jobs that advance when polled.

A *collection* is a path ``P`` and an *item* is ``P/{param}`` (``/tasks`` and
``/tasks/{task_id}``; with a format suffix, ``/Messages.json`` and ``/Messages/{Sid}.json``). ``POST P`` stores the answer under its id (the field named like the
path parameter, else ``id``); ``GET P/{id}`` returns it; ``PATCH``/``PUT`` merge the request
into it; ``DELETE`` removes it and later reads answer 404; ``GET P`` lists what was created.
Ids never created (and never deleted) still get a generated answer with the id echoed, so a
scenario can read a resource it did not make.

A stored object whose ``status`` enum looks like a job (``queued``/``pending`` → ``running``
→ ``completed``) advances one stage on every read, or follows ``x-toolcheck-lifecycle`` when
the schema lists the stages itself.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Spec

# The last segment is one parameter, maybe with a format suffix (Twilio's /Messages/{Sid}.json,
# whose collection is /Messages.json).
_PARAM = re.compile(r"\{([^{}/]+)\}(\.[A-Za-z0-9]+)?$")
STAGES = (
    ("created", "new", "pending", "queued", "scheduled", "accepted", "submitted", "waiting", "not_started"),
    ("running", "processing", "in_progress", "started", "active", "executing", "working"),
    ("completed", "succeeded", "success", "done", "finished", "complete", "ready", "succeed"),
)


@dataclass(frozen=True)
class Resource:
    """A collection path and its item path (``/tasks``, ``/tasks/{task_id}``, ``task_id``)."""

    collection: str
    item: str
    id_param: str


def infer_resources(spec: Spec) -> dict[str, Resource]:
    """Map every collection and item path to its :class:`Resource`."""
    paths = {op.path.rstrip("/") or "/" for op in spec.operations}
    items: dict[str, Resource] = {}
    collections: dict[str, Resource] = {}
    for path in sorted(paths):
        found = _PARAM.search(path)
        if found is None:
            continue
        collection = (path[: found.start()].rstrip("/") or "/") + (found.group(2) or "")
        resource = Resource(collection, path, found.group(1))
        items[path] = resource  # an item with no collection operations (GitHub's /repos/{owner}/{repo}) can still be deleted
        if collection in paths:
            collections.setdefault(collection, resource)
    # /gists/{gist_id} is the item of /gists and the collection of /gists/{gist_id}/{sha}: its
    # own operations (GET, DELETE) act on the item. Letting the set's order pick made a DELETE
    # forget the item in some runs and not in others.
    return {**collections, **items}


def items_above(resources: dict[str, Resource], path: str) -> list[Resource]:
    """The resources whose item path is a proper prefix of ``path`` (``/tags/{id}`` above
    ``/tags/{id}/sites``): deleting one of them takes ``path`` with it."""
    out = []
    for at, char in enumerate(path):
        if char == "/" and at:
            resource = resources.get(path[:at])
            if resource is not None and resource.item == path[:at]:
                out.append(resource)
    return out


def lifecycle(enum: list[Any]) -> list[str]:
    """The job stages present in a ``status`` enum, in order (empty when it is not job-like)."""
    lowered = {str(v).lower(): v for v in enum if isinstance(v, str)}
    out: list[str] = []
    for stage in STAGES:
        for word in stage:
            if word in lowered:
                out.append(lowered[word])
                break
    return out if len(out) >= 2 else []


# Bounds on what stateful mode keeps (issue 12: the store never evicted, so a client could
# grow it until the process died). Past either bound the oldest resources are forgotten first;
# a forgotten id then reads as never created.
MAX_STORED = 10_000
MAX_STORED_BYTES = 256 * 1024 * 1024
MAX_DELETED = 100_000


@dataclass
class Store:
    """In-memory resources: ``items[collection][id] = body`` plus deleted ids, bounded (oldest out)."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: dict[str, set[str]] = field(default_factory=dict)
    owners: dict[tuple[str, str], str] = field(default_factory=dict)  # who created what (issue 14)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _order: OrderedDict[tuple[str, str], int] = field(default_factory=OrderedDict, repr=False)
    _deleted_order: OrderedDict[tuple[str, str], None] = field(default_factory=OrderedDict, repr=False)
    _bytes: int = 0

    def own(self, collection: str, key: str, subject: str | None) -> None:
        """``subject`` created this resource: other subjects do not see it (object-level authorization)."""
        if subject:
            with self.lock:
                self.owners[(collection, key)] = subject

    def foreign(self, collection: str, key: str, subject: str | None) -> bool:
        """Is the resource owned by a subject other than ``subject``? (Resources created without a
        subject, and callers without one, see everything: today's behaviour.)"""
        owner = self.owners.get((collection, key))
        return owner is not None and subject is not None and owner != subject

    def get(self, collection: str, key: str) -> Any:
        return self.items.get(collection, {}).get(key)

    def put(self, collection: str, key: str, body: Any) -> None:
        size = _size(body)
        with self.lock:
            self.items.setdefault(collection, {})[key] = body
            self.deleted.get(collection, set()).discard(key)
            self._deleted_order.pop((collection, key), None)
            self._bytes += size - self._order.pop((collection, key), 0)
            self._order[(collection, key)] = size
            while self._order and (len(self._order) > MAX_STORED or self._bytes > MAX_STORED_BYTES):
                (old_collection, old_key), old_size = self._order.popitem(last=False)
                self._bytes -= old_size
                self.items.get(old_collection, {}).pop(old_key, None)
                self.owners.pop((old_collection, old_key), None)

    def delete(self, collection: str, key: str) -> bool:
        with self.lock:
            existed = self.items.get(collection, {}).pop(key, None) is not None
            self._bytes -= self._order.pop((collection, key), 0)
            self.deleted.setdefault(collection, set()).add(key)
            self._deleted_order[(collection, key)] = None
            while len(self._deleted_order) > MAX_DELETED:
                (old_collection, old_key), _ = self._deleted_order.popitem(last=False)
                self.deleted.get(old_collection, set()).discard(old_key)
            return existed

    def is_deleted(self, collection: str, key: str) -> bool:
        return key in self.deleted.get(collection, set())

    def listing(self, collection: str, subject: str | None = None) -> list[Any]:
        items = self.items.get(collection, {})
        return [body for key, body in items.items() if not self.foreign(collection, key, subject)]

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.deleted.clear()
            self.owners.clear()
            self._order.clear()
            self._deleted_order.clear()
            self._bytes = 0


def _size(body: Any) -> int:
    """Roughly how many bytes ``body`` holds (its JSON length), for the store's bound."""
    from toolcheck.mock._encode import dumps_json

    try:
        return len(dumps_json(body))
    except (TypeError, ValueError, RecursionError):
        return 1024


def id_field(body: Any, resource: Resource) -> str | None:
    """Which field of a stored body is its id: the path parameter's name, else ``id``."""
    if not isinstance(body, dict):
        return None
    param = resource.id_param
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", param).lower()  # Sid -> sid, taskId -> task_id
    for name in (param, snake, "id", "uuid", "key", "name"):
        if name in body and isinstance(body[name], (str, int)):
            return name
    for name, value in body.items():
        if isinstance(name, str) and name.endswith(("_id", "Id")) and isinstance(value, (str, int)):
            return name
    return None


def is_item_op(op: Operation, resource: Resource) -> bool:
    return (op.path.rstrip("/") or "/") == resource.item
