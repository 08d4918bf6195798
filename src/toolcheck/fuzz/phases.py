"""The sequential phases: stateful chains and auth probes (after the per-operation rounds).

**stateful**: create → read → list → update → delete chains (OpenAPI links, or inferred from
paths and ids: :mod:`toolcheck.fuzz.stateful`), several resources per chain, then one more per
enum value and oneOf branch of the create body (a state bug of one kind of resource needs that
kind to exist). **auth**: a valid request without, then with invalid, credentials to every
operation whose security is required.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toolcheck.fuzz import stateful as st
from toolcheck.fuzz.cases import json_body
from toolcheck.fuzz.checks import CONFORMANCE, evaluate, make_failure
from toolcheck.fuzz.http import curl
from toolcheck.payloads.case import Case
from toolcheck.payloads.edges import variants
from toolcheck.payloads.values import MAXIMAL, MINIMAL, RANDOM, Unsatisfiable

if TYPE_CHECKING:
    from toolcheck.fuzz.http import Exchange
    from toolcheck.fuzz.runner import Fuzzer
    from toolcheck.spec import Operation

STATEFUL_CHAINS = 3  # resources created (and read back) per chain


def is_secured(op: Operation) -> bool:
    """Security is required: at least one requirement and no anonymous (``{}``) alternative."""
    return bool(op.security) and all(len(req) > 0 for req in op.security)


def stateful(fuzzer: Fuzzer, operations: list[Operation]) -> None:
    chosen = {op.operation_id for op in operations}
    chains = [c for c in st.infer_chains(fuzzer.spec) if c.create.operation_id in chosen
              or c.read.operation_id in chosen or (c.delete is not None and c.delete.operation_id in chosen)]
    for chain in chains:
        if fuzzer._expired():
            return
        _chain(fuzzer, chain)


def _chain(fuzzer: Fuzzer, chain: st.Chain) -> None:
    factory = fuzzer._factory(chain.create, salt=7)
    attempts: list[Case] = factory.examples()[:1]
    for mode in (MINIMAL, MAXIMAL, RANDOM, RANDOM, RANDOM):
        try:
            attempts.append(factory.positive(mode, phase="stateful"))
        except Unsatisfiable:
            continue
    completed = 0
    for create_case in attempts:
        # Several different resources per chain: data-dependent response bugs show up on reads.
        if completed >= STATEFUL_CHAINS or fuzzer._expired():
            break
        create_case = create_case.with_(phase="stateful")
        created = fuzzer._send(chain.create, create_case)
        fuzzer._check_and_record(chain.create, create_case, created)
        if not 200 <= created.status < 300:
            continue
        completed += 1
        _follow(fuzzer, chain, create_case, created)
    if not attempts or not json_body(factory):
        return
    # Then one resource per enum value and oneOf branch of the create body, each read back
    # (and deleted): a state bug of one kind of resource needs that kind to exist.
    base = next((a for a in attempts if a.label.startswith(MINIMAL)), attempts[0])
    for create_case in variants(fuzzer.spec, factory.body_schema, base, factory.gen):
        if fuzzer._expired():
            return
        create_case = create_case.with_(phase="stateful")
        created = fuzzer._send(chain.create, create_case)
        fuzzer._check_and_record(chain.create, create_case, created)
        if 200 <= created.status < 300:
            _follow(fuzzer, chain, create_case, created)


def create_for(fuzzer: Fuzzer, chain: st.Chain, *, phase: str) -> tuple[Case, Exchange, Case] | None:
    """Create one resource with the run's credentials: ``(create case, its exchange, the case
    that reads it back)``, or None when nothing could be created (the authz phase's owner)."""
    factory = fuzzer._factory(chain.create, salt=19)
    try:
        create_case = (factory.examples()[:1] or [factory.positive(MINIMAL, phase=phase)])[0].with_(phase=phase)
    except Unsatisfiable:
        return None
    created = fuzzer._send(chain.create, create_case)
    if not 200 <= created.status < 300:
        return None
    read_case = read_back(fuzzer, chain, create_case, created)
    return None if read_case is None else (create_case, created, read_case)


def read_back(fuzzer: Fuzzer, chain: st.Chain, create_case: Case, created: Exchange) -> Case | None:
    """The case that reads back what ``created`` made (its ids from the create's request and
    answer), or None when they cannot be found."""
    params = fuzzer.creators.created_ids(chain, create_case, created)
    read_factory = fuzzer._factory(chain.read, salt=7)
    try:
        read_case = read_factory.positive(MINIMAL, phase="stateful")
    except Unsatisfiable:
        return None
    missing = [p.name for p in chain.read.parameters if p.location == "path" and p.name not in params]
    if missing:
        return None
    return read_case.with_(path_params={**read_case.path_params, **params},
                           label=f"read back what {chain.create.operation_id} created")


def _follow(fuzzer: Fuzzer, chain: st.Chain, create_case: Case, created: Exchange) -> None:
    """Read back (then delete and read again) one resource ``chain.create`` made."""
    made = read_back(fuzzer, chain, create_case, created)
    if made is None:
        return
    read_case = made
    params = dict(read_case.path_params)
    fuzzer._pool[chain.read.operation_id] = dict(read_case.path_params)
    if chain.delete is not None:
        fuzzer._pool.setdefault(chain.delete.operation_id, dict(read_case.path_params))
    steps = [step(fuzzer, "create", chain.create, create_case, created)]
    read = fuzzer._send(chain.read, read_case)
    fuzzer._check_and_record(chain.read, read_case, read)
    steps.append(step(fuzzer, "read", chain.read, read_case, read))
    if read.status in (404, 410):
        failure = make_failure("resource_not_readable", f"{chain.read.operation_id} {read.status}",
                          f"{chain.create.operation_id} answered HTTP {created.status} but {chain.read.operation_id} "
                          f"with {params} answered HTTP {read.status}")
        fuzzer.findings.add(fuzzer._finding(chain.create, read_case, read, failure, steps))
        return
    if 200 <= read.status < 300:
        _list_and_update(fuzzer, chain, create_case, read_case, steps)
    if chain.delete is None or chain.delete.operation_id in fuzzer.stats.held_back or not 200 <= read.status < 300:
        return
    # The DELETE's own valid case (its required query, headers, body: GitHub's
    # DELETE /repos/{owner}/{repo}/contents/{path} needs a body), aimed at what was read.
    try:
        delete_case = fuzzer._factory(chain.delete, salt=11).positive(MINIMAL, phase="stateful")
    except Unsatisfiable:
        return
    ids = {k: v for k, v in read_case.path_params.items() if chain.delete.parameter(k, "path") is not None}
    delete_case = delete_case.with_(path_params={**delete_case.path_params, **ids},
                                    label=f"delete what {chain.create.operation_id} created")
    deleted = fuzzer._send(chain.delete, delete_case)
    fuzzer._check_and_record(chain.delete, delete_case, deleted)
    steps.append(step(fuzzer, "delete", chain.delete, delete_case, deleted))
    if not 200 <= deleted.status < 300:
        return
    again = fuzzer._send(chain.read, read_case)
    steps.append(step(fuzzer, "read again", chain.read, read_case, again))
    if 200 <= again.status < 300:
        failure = make_failure("deleted_still_readable", f"{chain.read.operation_id} {again.status}",
                          f"{chain.delete.operation_id} answered HTTP {deleted.status} but {chain.read.operation_id} "
                          f"still answers HTTP {again.status} for {params}")
        fuzzer.findings.add(fuzzer._finding(chain.delete, read_case, again, failure, steps))
    else:
        fuzzer._check_and_record(chain.read, read_case.with_(label="read after delete"), again)


def _list_and_update(fuzzer: Fuzzer, chain: st.Chain, create_case: Case, read_case: Case, steps: list[dict[str, Any]]) -> None:
    """The collection's list, then each update (PATCH/PUT of the item), with this resource in
    the store: a kind of resource (one enum value, one oneOf branch) that breaks how a list
    is rendered or an update is applied shows only once that kind exists."""
    listing = next((o for o in fuzzer.spec.operations if o.method == "get" and o.path == chain.create.path), None)
    updates = [o for o in fuzzer.spec.operations if o.method in ("patch", "put") and o.path == chain.read.path
               and o.operation_id != chain.create.operation_id]
    for role, op, ids in ([("list", listing, create_case.path_params)] if listing is not None else []) + \
            [("update", o, read_case.path_params) for o in updates]:
        if fuzzer._expired():
            return
        try:
            case = fuzzer._factory(op, salt=23).positive(MINIMAL if role == "list" else RANDOM, phase="stateful")
        except Unsatisfiable:
            continue
        keep = {k: v for k, v in ids.items() if op.parameter(k, "path") is not None}
        case = case.with_(path_params={**case.path_params, **keep},
                          label=f"{role} with what {chain.create.operation_id} created "
                                f"({create_case.label or 'a valid request'})")
        exchange = fuzzer._send(op, case)
        steps.append(step(fuzzer, role, op, case, exchange))
        fuzzer._check_and_record(op, case, exchange, list(steps))  # a finding shows what was created first


def step(fuzzer: Fuzzer, role: str, op: Operation, case: Case, exchange: Exchange) -> dict[str, Any]:
    return {"role": role, "operation_id": op.operation_id, "case": fuzzer.redactor.redact_value(case.to_dict()),
            "status": exchange.status, "curl": curl(fuzzer.base_url, exchange, fuzzer.redactor)}


def auth(fuzzer: Fuzzer, op: Operation) -> None:
    if not is_secured(op):
        return
    schemes = [fuzzer.spec.security_schemes.get(name) for req in op.security for name in req]
    if any(s is None or s.type == "mutualTLS" for s in schemes):
        return
    factory = fuzzer._factory(op, salt=11)
    try:
        case = (factory.examples() or [factory.positive(MINIMAL)])[0]
    except Unsatisfiable:
        return
    if op.operation_id in fuzzer._pool:
        case = case.with_(path_params={**case.path_params, **fuzzer._pool[op.operation_id]})
    case = case.with_(phase="auth")
    probes = [("none", "missing credentials")]
    if fuzzer.options.invalid_credentials:
        probes.append(("invalid", "invalid credentials"))
    for credentials, label in probes:
        exchange = fuzzer._send(op, case, credentials=credentials)
        labelled = case.with_(label=f"valid request with {label}")
        if 200 <= exchange.status < 300:
            failure = make_failure("auth_not_enforced", label,
                              f"HTTP {exchange.status} for a request with {label} to a secured operation")
            fuzzer.findings.add(fuzzer._finding(op, labelled, exchange, failure))
        elif exchange.status != 0:
            for failure in evaluate(fuzzer.spec, op, labelled, exchange):
                if failure.check in CONFORMANCE or failure.check == "server_error":
                    fuzzer.findings.add(fuzzer._finding(op, labelled, exchange, failure))
