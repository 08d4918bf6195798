"""Realistic values by property name (``email``, ``city``, ``*_id``, ``created_at``) for the mock.

Hand-written word lists instead of Faker: a few hundred bytes of data give plausible values in
microseconds with no import cost, and everything draws from the caller's seeded ``Random`` so a
mock answer is reproducible. Callers check every candidate against the schema's constraints and
fall back to a generic value when it does not fit. Values by ``format`` (shared with the
fuzzer) are in :mod:`toolcheck.generate._formats`.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from toolcheck.generate._formats import (
    DOMAINS,
    FIRST,
    FORMATS,
    LAST,
    WORDS,
    date,
    date_time,
    email,
    full_name,
    sentence,
    token,
    url,
    word,
)

__all__ = ["FORMATS", "derive_totals", "number_for_name", "string_for_name", "token", "word"]

CITIES = ("Lisbon", "Berlin", "Nairobi", "Osaka", "Toronto", "Lyon", "Austin", "Porto", "Seoul",
          "Oslo", "Santiago", "Melbourne")
COUNTRIES = ("PT", "DE", "KE", "JP", "CA", "FR", "US", "KR", "NO", "CL", "AU", "GB")
STREETS = ("Main Street", "Rua Augusta", "Hauptstrasse", "Elm Avenue", "Harbour Road", "King Street")
COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella Ltd", "Hooli", "Stark Industries", "Wayne Enterprises")
CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF")


_EXACT: dict[str, Callable[[random.Random], str]] = {
    "email": email, "emailaddress": email, "mail": email,
    "name": full_name, "fullname": full_name, "displayname": full_name, "author": full_name,
    "firstname": lambda r: r.choice(FIRST), "givenname": lambda r: r.choice(FIRST),
    "lastname": lambda r: r.choice(LAST), "surname": lambda r: r.choice(LAST), "familyname": lambda r: r.choice(LAST),
    "username": lambda r: f"{r.choice(FIRST).lower()}{r.randint(1, 99)}", "login": lambda r: r.choice(FIRST).lower(),
    "city": lambda r: r.choice(CITIES), "town": lambda r: r.choice(CITIES),
    "country": lambda r: r.choice(COUNTRIES), "countrycode": lambda r: r.choice(COUNTRIES),
    "street": lambda r: f"{r.randint(1, 250)} {r.choice(STREETS)}",
    "address": lambda r: f"{r.randint(1, 250)} {r.choice(STREETS)}, {r.choice(CITIES)}",
    "addressline1": lambda r: f"{r.randint(1, 250)} {r.choice(STREETS)}", "line1": lambda r: f"{r.randint(1, 250)} {r.choice(STREETS)}",
    "zip": lambda r: f"{r.randint(10000, 99999)}", "zipcode": lambda r: f"{r.randint(10000, 99999)}",
    "postalcode": lambda r: f"{r.randint(10000, 99999)}", "postcode": lambda r: f"{r.randint(10000, 99999)}",
    "phone": FORMATS["phone"], "phonenumber": FORMATS["phone"], "mobile": FORMATS["phone"],
    "company": lambda r: r.choice(COMPANIES), "organization": lambda r: r.choice(COMPANIES),
    "currency": lambda r: r.choice(CURRENCIES),
    "url": url, "website": url, "homepage": url, "link": url, "href": url, "avatarurl": url, "imageurl": url,
    "title": lambda r: sentence(r)[:-1], "subject": lambda r: sentence(r)[:-1],
    "description": sentence, "summary": sentence, "message": sentence, "body": sentence,
    "comment": sentence, "note": sentence, "notes": sentence, "text": sentence, "content": sentence,
    "language": lambda r: r.choice(("en", "fr", "de", "pt", "ja")), "locale": lambda r: r.choice(("en-US", "fr-FR", "de-DE")),
    "timezone": lambda r: r.choice(("Europe/Lisbon", "America/New_York", "Asia/Tokyo")),
    "color": lambda r: f"#{r.randint(0, 0xFFFFFF):06x}", "colour": lambda r: f"#{r.randint(0, 0xFFFFFF):06x}",
    "ip": FORMATS["ipv4"], "ipaddress": FORMATS["ipv4"], "hostname": FORMATS["hostname"], "domain": lambda r: r.choice(DOMAINS),
    "slug": lambda r: f"{r.choice(WORDS)}-{r.choice(WORDS)}", "tag": word, "label": word, "type": word, "kind": word,
    "token": lambda r: token(r, 24), "cursor": lambda r: token(r, 12), "nextcursor": lambda r: token(r, 12),
    "version": lambda r: f"{r.randint(1, 5)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
}


def _by_exact(rng: random.Random, key: str) -> str | None:
    fn = _EXACT.get(key)
    return fn(rng) if fn is not None else None


def string_for_name(name: str, rng: random.Random) -> str | None:
    """A plausible string for a property called ``name``, or None when the name says nothing."""
    if not name:
        return None
    lower = name.lower()
    key = lower.replace("_", "").replace("-", "")
    exact = _by_exact(rng, key)
    if exact is not None:
        return exact
    # `created_at`, `updatedAt`, `createdat`: a timestamp. Not any name ending in "at":
    # `format`, `chat`, `heartbeat` are no dates (jupyter's contents `format` got one, issue 17)
    if (lower.endswith("_at") or name.endswith("At") or key.endswith(("createdat", "updatedat", "deletedat",
                                                                        "modifiedat"))) and len(key) > 4:
        return date_time(rng)
    if lower.endswith(("_date", "date")) or lower in ("dob", "birthday"):
        return date(rng)
    if lower.endswith(("_time", "timestamp")):
        return date_time(rng)
    if lower == "id" or lower.endswith(("_id", "id")) and (lower.endswith("_id") or name.endswith("Id")):
        prefix = lower[:-3] if lower.endswith("_id") else lower[:-2]
        prefix = "".join(ch for ch in prefix if ch.isalnum())[:4]
        return f"{prefix}_{token(rng, 10)}" if prefix else token(rng, 12)
    if lower.endswith(("email", "_email")):
        return email(rng)
    if lower.endswith(("_url", "url", "_uri", "uri")):
        return url(rng)
    if lower.endswith("name"):
        return full_name(rng) if "user" in lower or "person" in lower or "contact" in lower else rng.choice(WORDS).capitalize()
    if lower.endswith(("city",)):
        return rng.choice(CITIES)
    if lower.endswith(("country",)):
        return rng.choice(COUNTRIES)
    if lower.endswith(("description", "message", "text")):
        return sentence(rng)
    return None


def number_for_name(name: str, rng: random.Random) -> float | None:
    """A plausible magnitude for a numeric property (still clamped to the schema by the caller)."""
    lower = name.lower()
    if not lower:
        return None
    if lower in ("lat", "latitude"):
        return round(rng.uniform(-80, 80), 5)
    if lower in ("lng", "lon", "long", "longitude"):
        return round(rng.uniform(-170, 170), 5)
    if "age" == lower:
        return rng.randint(18, 90)
    if lower in ("year",):
        return rng.randint(1990, 2030)
    if lower in ("port",):
        return rng.choice((80, 443, 8080, 5432))
    if any(k in lower for k in ("amount", "price", "total", "cost", "balance", "fee")):
        return rng.randint(100, 100000)
    if any(k in lower for k in ("count", "quantity", "qty", "size", "limit", "page", "number")):
        return rng.randint(1, 50)
    if lower.endswith(("_at", "timestamp", "time", "created", "updated")):
        return rng.randint(1_700_000_000, 1_800_000_000)
    if lower in ("progress", "percent", "percentage"):
        return rng.randint(0, 100)
    return None


_TOTAL_KEYS = ("total", "amount_total", "total_amount", "subtotal", "amount")
_QTY_KEYS = ("quantity", "qty", "count")
_PRICE_KEYS = ("unit_amount", "unit_price", "price", "amount")


def derive_totals(value: object) -> object:
    """A copy where a ``total`` equals the sum of its line items (quantity × unit amount).

    Only when the object has both an integer total and a list of items carrying a quantity and
    a unit amount; the caller keeps the result only if it still validates.
    """
    if not isinstance(value, dict):
        return value
    total_key = next((k for k in _TOTAL_KEYS if isinstance(value.get(k), int) and not isinstance(value.get(k), bool)), None)
    if total_key is None:
        return value
    for items in value.values():
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            continue
        qty = next((k for k in _QTY_KEYS if all(isinstance(i.get(k), int) for i in items)), None)
        price = next((k for k in _PRICE_KEYS if k != total_key and all(isinstance(i.get(k), int) for i in items)), None)
        if qty and price:
            return {**value, total_key: sum(i[qty] * i[price] for i in items)}
    return value
