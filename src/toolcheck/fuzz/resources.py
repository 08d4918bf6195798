"""Resources created in this run, so item operations are aimed at what exists (issue 13).

An item operation (GET/PATCH/DELETE /things/{id}) is sent with the ids of a resource its
collection's create made in this run, not ids that do not exist: :class:`Creators` knows which
create makes what each operation reads (the inferred create → read chains of
:mod:`toolcheck.fuzz.stateful`) and creates one on demand; :class:`Resources` aims one
operation's cases of a round at them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toolcheck.fuzz import stateful as st
from toolcheck.fuzz.cases import NOT_EXISTING
from toolcheck.payloads.case import Case
from toolcheck.payloads.methods import is_probe
from toolcheck.payloads.values import MINIMAL, RANDOM, Unsatisfiable
from toolcheck.wire.read import parameter_accepts

if TYPE_CHECKING:
    from toolcheck.fuzz.http import Exchange
    from toolcheck.fuzz.runner import Fuzzer
    from toolcheck.payloads.positive import CaseFactory
    from toolcheck.spec import Operation


class Creators:
    """Which create makes what an operation reads, and fresh resources made with it."""

    def __init__(self, fuzzer: Fuzzer) -> None:
        self.fuzzer = fuzzer
        self._creators: dict[str, st.Chain] | None = None
        self._put_creators: set[str] = set()
        self._create_factories: dict[str, CaseFactory] = {}
        self._fresh_started: set[str] = set()

    def creator(self, op: Operation) -> st.Chain | None:
        """The create → read chain whose read path ``op``'s path extends (POST /things for
        GET/PATCH/DELETE /things/{id} and /things/{id}/sub), if the spec has one."""
        with self.fuzzer._lock:
            if self._creators is None:
                self._creators = {}
                chains = st.infer_chains(self.fuzzer.spec)
                self._put_creators = {c.create.operation_id for c in chains if c.create.method == "put"}
                for item in self.fuzzer.spec.operations:
                    segments = [s for s in item.path.strip("/").split("/") if s]
                    best: st.Chain | None = None
                    for chain in chains:
                        read = [s for s in chain.read.path.strip("/").split("/") if s]
                        if (chain.create.method != "post" or chain.create.operation_id == item.operation_id
                                or chain.create.operation_id in self.fuzzer.stats.held_back or segments[:len(read)] != read):
                            continue
                        if best is None or len(read) > len(best.read.path):
                            best = chain
                    if best is not None:
                        self._creators[item.operation_id] = best
            return self._creators.get(op.operation_id)

    def creates_by_put(self, op: Operation) -> bool:
        """``op`` is a PUT that creates what it names (PUT /files/{path} then GET /files/{path})."""
        self.creator(op)
        return op.operation_id in self._put_creators

    def fresh_resource(self, chain: st.Chain) -> dict[str, Any] | None:
        """Create one resource with ``chain.create`` now; the read path parameters that name it."""
        with self.fuzzer._lock:
            factory = self._create_factories.get(chain.create.operation_id)
            if factory is None:
                factory = self._create_factories[chain.create.operation_id] = self.fuzzer._factory(chain.create, salt=13)
            first = chain.create.operation_id not in self._fresh_started
            self._fresh_started.add(chain.create.operation_id)
            try:  # minimal first; then random (unique names do not collide with 409)
                case = factory.positive(MINIMAL if first else RANDOM, phase="stateful",
                                        label=f"create a fresh resource with {chain.create.operation_id}")
            except Exception:  # the creator's own trouble (reported on it) must not stop this operation
                return None
        created = self.fuzzer._send(chain.create, case)
        self.fuzzer._check_and_record(chain.create, case, created)
        if not 200 <= created.status < 300:
            return None
        return self.created_ids(chain, case, created) or None

    def created_ids(self, chain: st.Chain, create_case: Case, created: Exchange) -> dict[str, Any]:
        """The read path parameters naming what ``created`` made, from the create's request and
        answer (not GitHub's runner group `id: number` 1.5 into an integer path id)."""
        body = created.json()
        params: dict[str, Any] = {}
        for name, expression in chain.sources.items():
            value = st.evaluate_expression(expression, request_path=create_case.path_params, body=body,
                                           headers=created.response_headers)
            param = chain.read.parameter(name, "path")
            if value is not None and not isinstance(value, (dict, list)) and (
                    param is None or parameter_accepts(self.fuzzer.spec, param, value)):
                params[name] = value
        return params


class Resources:
    """Aims one operation's cases at resources this run created (not ids that do not exist).

    An item operation (GET/PATCH/DELETE /things/{id}) gets a resource made by its collection's
    create just before; each negative case and each delete gets a fresh one (a case may have
    changed or removed the last), up to ``MAX_FRESH`` per operation and round. A PUT that
    creates what it names gets a new name for every case: on an existing path the server never
    reads the body, and "invalid input accepted" would be a stale-state artefact.
    """

    MAX_FRESH = 25

    def __init__(self, fuzzer: Fuzzer, op: Operation) -> None:
        self.fuzzer = fuzzer
        self.op = op
        self.chain = fuzzer.creators.creator(op)
        self.by_put = fuzzer.creators.creates_by_put(op)
        self.ids: dict[str, Any] | None = None
        self.created = 0
        self.uses = 0

    def aim(self, case: Case) -> Case:
        if case.label == NOT_EXISTING:
            return case  # the point of this case is an id that does not exist
        targeted = case.pointer[len("path/"):].split("/", 1)[0] if case.pointer.startswith("path/") else None
        if self.by_put:
            factory = self.fuzzer._state(self.op).factory
            fresh = {}
            for param in self.op.parameters:
                if param.location == "path" and param.name != targeted:
                    try:
                        fresh[param.name] = factory.param_value(param, RANDOM)
                    except Unsatisfiable:
                        return case
            return case.with_(path_params={**case.path_params, **fresh})
        if self.chain is None:
            return case
        # (a method probe needs the resource to exist, not to be fresh: a 405 changes nothing)
        if self.created < self.MAX_FRESH and (self.ids is None or self.op.method == "delete"
                                              or (case.negative and self.uses and not is_probe(case, self.op))):
            self.created += 1
            self.ids = self.fuzzer.creators.fresh_resource(self.chain) or self.ids
            self.uses = 0
        if not self.ids:
            return case
        keep = {k: v for k, v in self.ids.items() if k != targeted and self.op.parameter(k, "path") is not None}
        self.uses += 1
        return case.with_(path_params={**case.path_params, **keep})
