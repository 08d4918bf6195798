"""Values for JSON Schema ``format``s (``date-time``, ``email``, ``uuid``, ``uri`` ...), drawn from a seeded ``Random``.

Shared by the mock (its realistic strings) and the fuzzer (its ``random`` and ``maximal``
modes; its ``minimal`` mode uses fixed boundary values of its own). Hand-written word lists
instead of Faker: a few hundred bytes of data give plausible values in microseconds with no
import cost, and everything draws from the caller's ``Random`` so a value is reproducible.
Every value is valid for its format (RFC 3339 dates, RFC 5322 addresses at example domains,
RFC 5737/3849 documentation IP ranges); callers still check lengths and validate.
"""

from __future__ import annotations

import base64
import random
import string
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

FIRST = ("Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim",
         "Hedy", "Edsger", "Radia", "Guido", "Sofia", "Yuki", "Amara", "Mateo", "Priya", "Lars")
LAST = ("Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie",
        "Allen", "Berners-Lee", "Lamarr", "Dijkstra", "Perlman", "van Rossum", "Rossi", "Tanaka",
        "Okafor", "Garcia", "Sharma", "Nilsen")
WORDS = ("alpha", "bravo", "delta", "ember", "falcon", "harbor", "indigo", "juniper", "kestrel",
         "lumen", "meadow", "nimbus", "orchid", "prairie", "quartz", "river", "summit", "tundra")
DOMAINS = ("example.com", "example.org", "example.net")
_ALNUM = string.ascii_letters + string.digits
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _when(rng: random.Random) -> datetime:
    return _EPOCH + timedelta(seconds=rng.randint(-86400 * 400, 86400 * 300))


def date_time(rng: random.Random) -> str:
    return _when(rng).strftime("%Y-%m-%dT%H:%M:%SZ")


def date(rng: random.Random) -> str:
    return _when(rng).strftime("%Y-%m-%d")


def time(rng: random.Random) -> str:
    return _when(rng).strftime("%H:%M:%SZ")


def an_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def email(rng: random.Random) -> str:
    return f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower().replace(' ', '')}@{rng.choice(DOMAINS)}"


def full_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def token(rng: random.Random, n: int = 10) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


def word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(3, 7))]
    return " ".join(words).capitalize() + "."


def url(rng: random.Random) -> str:
    return f"https://{rng.choice(DOMAINS)}/{rng.choice(WORDS)}/{token(rng, 6)}"


FORMATS: dict[str, Callable[[random.Random], str]] = {
    "date-time": date_time,
    "date": date,
    "time": time,
    "email": email,
    "idn-email": email,
    "uuid": an_uuid,
    "uri": url,
    "url": url,
    "iri": url,
    "uri-reference": lambda rng: f"/{rng.choice(WORDS)}/{token(rng, 6)}",
    "iri-reference": lambda rng: f"/{rng.choice(WORDS)}/{token(rng, 6)}",
    "uri-template": lambda rng: f"https://{rng.choice(DOMAINS)}/{{id}}",
    "hostname": lambda rng: f"{rng.choice(WORDS)}.{rng.choice(DOMAINS)}",
    "idn-hostname": lambda rng: f"{rng.choice(WORDS)}.{rng.choice(DOMAINS)}",
    "ipv4": lambda rng: f"192.0.2.{rng.randint(1, 254)}",
    "ipv6": lambda rng: f"2001:db8::{rng.randint(1, 0xFFFF):x}",
    "byte": lambda rng: base64.b64encode(token(rng, 12).encode()).decode(),
    "binary": lambda rng: token(rng, 16),
    "password": lambda rng: token(rng, 16),
    "duration": lambda rng: f"PT{rng.randint(1, 59)}M",
    "json-pointer": lambda rng: f"/{rng.choice(WORDS)}/{rng.randint(0, 9)}",
    "relative-json-pointer": lambda rng: f"{rng.randint(0, 3)}/{rng.choice(WORDS)}",
    "regex": lambda rng: "^[a-z]+$",
    "phone": lambda rng: f"+1555{rng.randint(1000000, 9999999)}",
}
