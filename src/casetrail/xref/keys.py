"""Blocking keys: normalised values that two records of the same thing are likely to share.

Every key is ``<kind>:<value>``. Kinds:

- ``n``   all name tokens, transliterated to ASCII and sorted (word order does not matter)
- ``np``  a pair of name tokens, sorted (middle names and extra parts do not matter)
- ``nph`` a pair of Metaphone codes of name tokens (spelling variants and many typos)
- ``ni``  a name token with the initial of another token ("V. Putin" meets "Vladimir Putin")
- ``sy``  a pair of name symbols of two parts of a person's name. rigour tags a name part with
  the Wikidata ids of the given or family names it can be, in any script. So "Wladimir Putin",
  "Владимир Путин" and "弗拉基米尔·普京" share ``sy`` keys although their spellings share nothing
- ``dob`` a full birth date, YYYY-MM-DD
- ``id``  an identifier (passport, tax, registration number, IBAN, ...) in upper case, letters
  and digits only
- ``ph``  a phone number in E.164, as FtM cleans it
- ``em``  an e-mail address in lower case
- ``ad``  the sorted tokens of an address fingerprint

Keys carry the property they came from, so an overlap can be described ("same passport
number") without showing the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from followthemoney.proxy import EntityProxy
from rigour.addresses import address_fingerprint
from rigour.names import (
    NameTypeTag,
    SymbolCategory,
    analyze_names,
    normalize_name,
    remove_org_types,
    remove_person_prefixes,
    tokenize_name,
)
from rigour.text import ascii_text, metaphone

MAX_KEY_LENGTH = 200
# Long names (vessels, public bodies) would produce a quadratic number of pairs.
MAX_NAME_TOKENS = 6
MIN_IDENTIFIER_LENGTH = 4
MAX_SYMBOL_PAIRS = 64
STRONG_KINDS = frozenset({"id", "ph", "em"})
"""Kinds that identify one thing on their own: sharing one is an overlap worth a notice."""

_STRONG_TYPES = {"identifier": "id", "phone": "ph", "email": "em"}
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True, order=True)
class BlockingKey:
    key: str
    prop: str

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]


def entity_keys(proxy: EntityProxy) -> set[BlockingKey]:
    """Return the blocking keys of an entity from its names, dates and identifying values."""
    keys: set[BlockingKey] = set()
    for prop, value in proxy.itervalues():
        type_name = prop.type.name
        if type_name == "name":
            keys.update(name_keys(value, prop.name, is_person=proxy.schema.is_a("Person")))
        elif type_name == "date" and prop.name == "birthDate" and len(value) >= 10:
            keys.add(BlockingKey(f"dob:{value[:10]}", prop.name))
        elif type_name in _STRONG_TYPES:
            key = strong_key(_STRONG_TYPES[type_name], value)
            keys.update({BlockingKey(key, prop.name)} if key else set())
        elif type_name == "address":
            keys.update(_single("ad", address_key(value), prop.name))
    keys.update(_split_person_name(proxy))
    return {key for key in keys if len(key.key) <= MAX_KEY_LENGTH}


def strong_key(kind: str, value: str) -> str | None:
    """Return the ``id``, ``ph`` or ``em`` key of a value, or None when it is too short to identify."""
    if kind == "id":
        normalised = identifier_key(value)
        return f"id:{normalised}" if normalised else None
    if kind == "em":
        return f"em:{value.strip().lower()}"
    return f"ph:{value.strip()}"


def _single(kind: str, value: str | None, prop: str) -> set[BlockingKey]:
    return {BlockingKey(f"{kind}:{value}", prop)} if value else set()


def _split_person_name(proxy: EntityProxy) -> set[BlockingKey]:
    """Index "first last" for people recorded only with firstName and lastName."""
    if not proxy.schema.is_a("Person"):
        return set()
    first = proxy.first("firstName", quiet=True)
    last = proxy.first("lastName", quiet=True)
    if not first or not last:
        return set()
    return name_keys(f"{first} {last}", "name", is_person=True)


def name_tokens(name: str, *, is_person: bool) -> list[str]:
    """Split a name into ASCII tokens, without prefixes such as "Mr" or legal forms such as "LLC"."""
    text = remove_person_prefixes(name) if is_person else remove_org_types(name)
    normalised = normalize_name(text) or ""
    tokens = [ascii_text(token).lower() for token in tokenize_name(normalised)]
    return [token for token in (re.sub(r"[^a-z0-9]", "", token) for token in tokens) if token]


def name_keys(name: str, prop: str, *, is_person: bool) -> set[BlockingKey]:
    tokens = list(dict.fromkeys(name_tokens(name, is_person=is_person)))[:MAX_NAME_TOKENS]
    words = [token for token in tokens if len(token) > 1]
    if not words:
        return set()
    keys = {BlockingKey("n:" + " ".join(sorted(words)), prop)}
    for left, right in combinations(sorted(words), 2):
        keys.add(BlockingKey(f"np:{left} {right}", prop))
        codes = sorted((metaphone(left), metaphone(right)))
        if all(codes):
            keys.add(BlockingKey(f"nph:{codes[0]} {codes[1]}", prop))
    for word in words:
        for other in tokens:
            if other != word:
                keys.add(BlockingKey(f"ni:{word} {other[0]}", prop))
    if is_person:
        keys.update(BlockingKey(f"sy:{pair}", prop) for pair in symbol_pairs(name))
    return keys


def symbol_pairs(name: str) -> list[str]:
    """Return sorted pairs of name symbols that tag two different parts of a person's name."""
    pairs: set[str] = set()
    for analysed in analyze_names(NameTypeTag.PER, [name]):
        by_part: dict[int, set[str]] = {}
        for span in analysed.spans:
            if span.symbol.category != SymbolCategory.NAME or len(span.parts) != 1:
                continue
            by_part.setdefault(span.parts[0].index, set()).add(str(span.symbol.id))
        for (_, first), (_, second) in combinations(sorted(by_part.items())[:MAX_NAME_TOKENS], 2):
            pairs.update(" ".join(sorted((one, two))) for one in first for two in second if one != two)
    return sorted(pairs)[:MAX_SYMBOL_PAIRS]


def identifier_key(value: str) -> str | None:
    key = _NOT_ALNUM.sub("", ascii_text(value).upper())
    return key if len(key) >= MIN_IDENTIFIER_LENGTH else None


def address_key(value: str) -> str | None:
    fingerprint = address_fingerprint(value)
    if not fingerprint:
        return None
    tokens = sorted(set(fingerprint.split()))
    return " ".join(tokens) if len(tokens) > 1 else None
