"""Synthetic people for the cross-referencing benchmarks: reproducible, with planted duplicates.

Names are built from generated syllables, so the data contains no real person. Given names come
from a pool of 4,000 and family names from a pool of 40,000, which gives name tokens the
skewed frequencies of a real population (a few common names, a long tail). A share of people
carry a phone, a passport number or an e-mail address.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from followthemoney import model
from followthemoney.proxy import EntityProxy

_SYLLABLES = [
    a + b
    for a in ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "sh")
    for b in ("a", "e", "i", "o", "u", "ai", "ou", "ia")
]


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


class Population:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
        self.given = [_word(self.rng, self.rng.choice((2, 3))) for _ in range(4_000)]
        self.family = [_word(self.rng, self.rng.choice((2, 3, 4))) for _ in range(40_000)]

    def _pick(self, pool: list[str]) -> str:
        # A Pareto-like pick: low indexes are far more common than high ones.
        index = int(len(pool) * self.rng.random() ** 3)
        return pool[min(index, len(pool) - 1)]

    def person(self, number: int) -> EntityProxy:
        rng = self.rng
        proxy = model.make_entity("Person")
        proxy.id = f"syn-{number}"
        names = [self._pick(self.given), self._pick(self.family)]
        if rng.random() < 0.3:
            names.insert(1, self._pick(self.given))
        proxy.add("name", " ".join(names))
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
        proxy.add("birthDate", birth.isoformat())
        if rng.random() < 0.3:
            proxy.add("phone", f"+1202{rng.randrange(10**7):07d}", quiet=True)
        if rng.random() < 0.2:
            proxy.add("passportNumber", f"P{rng.randrange(10**8):08d}")
        if rng.random() < 0.1:
            proxy.add("email", f"{names[0].lower()}.{rng.randrange(10**6)}@example.org")
        return proxy

    def people(self, count: int) -> Iterator[EntityProxy]:
        for number in range(count):
            yield self.person(number)

    def variant(self, proxy: EntityProxy, number: int) -> EntityProxy:
        """Return a record of the same person as another case might hold it: a typo, reordered."""
        rng = self.rng
        copy = model.make_entity("Person")
        copy.id = f"var-{number}"
        tokens = proxy.first("name").split()
        if rng.random() < 0.5:
            word = rng.randrange(len(tokens))
            chars = list(tokens[word])
            position = rng.randrange(1, len(chars))
            chars[position] = rng.choice("aeiou")
            tokens[word] = "".join(chars)
        if rng.random() < 0.5:
            tokens = [*tokens[1:], tokens[0]]
        copy.add("name", " ".join(tokens))
        copy.add("birthDate", proxy.get("birthDate"))
        if rng.random() < 0.5:
            copy.add("phone", proxy.get("phone"), quiet=True)
        return copy
