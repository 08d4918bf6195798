"""Does a changed ``pattern`` reject a value the other side relies on? Found by a witness string.

Comparing two regular expressions' languages exactly is possible for true regular expressions
(product automata) but Python/ECMA patterns are not regular (back-references, look-arounds).
Drift looks for a *witness* instead: it draws strings from one pattern with the project's
generator (:func:`toolcheck.generate.string_from_regex`, the one behind the mock and the
fuzzer, which checks every string against its pattern) and tests each against the other. A
witness is a proof that the change rejects a value the source pattern accepts; *every* draw
rejected is the sampled stand-in for "disjoint languages" (evidence, not proof: a small overlap
the draws missed is possible). Finding no witness proves nothing, so the rule then keeps its
usual level. A target pattern that could backtrack exponentially (a spec is hostile input) is
never run.
"""

from __future__ import annotations

import functools
import random
import re

from toolcheck.generate import RegexError, linear_time, string_from_regex

SAMPLES = 24
MAX_LENGTH = 64


@functools.lru_cache(maxsize=1024)
def probe(source: str, target: str) -> tuple[str | None, bool]:
    """Draw up to ``SAMPLES`` strings from ``source`` (seeded) and test them against ``target``.

    Returns:
        (a drawn string ``target`` rejects or None, whether *every* draw was rejected). The
        second is False when nothing could be drawn or ``target`` is not safe to run.
    """
    if not linear_time(target):
        return None, False
    try:
        compiled = re.compile(target)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None, False
    rng = random.Random(f"{source}\x1f{target}")  # deterministic across runs (str seeds hash with SHA-512)
    found: str | None = None
    drawn = rejected = 0
    for i in range(SAMPLES):
        try:
            text = string_from_regex(source, rng, max_length=MAX_LENGTH, minimal=(i == 0), spread=4)
        except RegexError:
            continue
        drawn += 1
        if compiled.search(text) is None:
            rejected += 1
            found = found if found is not None else text
    return found, drawn >= SAMPLES // 2 and rejected == drawn
