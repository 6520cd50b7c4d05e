"""Reading the network datasets in tests/data/networks, and loading them into a case as FtM entities.

Each dataset is read twice, independently: as a networkx graph straight from the file (the
reference answer), and as FollowTheMoney entities imported into a case through the real import
service (the graph Casetrail builds from its statements).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext
from casetrail.db.engine import transaction
from casetrail.exchange.ftm_import import import_ftm
from tests.conftest import DATA_DIR

NETWORKS = DATA_DIR / "networks"
ISIS_FILE = NETWORKS / "isis_europe_nov13" / "ise_terrorNetwork.csv"
OVERSIZE_FILE = NETWORKS / "ndrangheta_oversize" / "berlusconietal_oversize_wiretap.csv"


@dataclass(frozen=True)
class Network:
    """A dataset as networkx reads it, and the graph key Casetrail gives each of its nodes."""

    reference: nx.Graph[str]
    key_of: dict[str, str]
    entities: list[dict[str, Any]]

    def name_of(self, key: str) -> str:
        names = {graph_key: name for name, graph_key in self.key_of.items()}
        return names[key]


def isis_pairs() -> list[tuple[str, str]]:
    # The file is Latin-1: names such as "Omar Ismaël Mostefaï" are single bytes above 0x7f.
    with ISIS_FILE.open(encoding="latin-1", newline="") as stream:
        rows = list(csv.reader(stream))
    return [(left, right) for left, right in rows[1:]]


def isis_network() -> Network:
    """Persons joined by Associate relationships, one per line of the edge list."""
    pairs = isis_pairs()
    names = sorted({name for pair in pairs for name in pair})
    key_of = {name: f"ise-person-{number}" for number, name in enumerate(names)}
    entities: list[dict[str, Any]] = [
        {"id": key_of[name], "schema": "Person", "properties": {"name": [name]}} for name in names
    ]
    entities.extend(
        {
            "id": f"ise-link-{number}",
            "schema": "Associate",
            "properties": {"person": [key_of[left]], "associate": [key_of[right]]},
        }
        for number, (left, right) in enumerate(pairs)
    )
    reference: nx.Graph[str] = nx.Graph()
    reference.add_edges_from(pairs)
    return Network(reference, key_of, entities)


def oversize_pairs() -> Iterator[tuple[str, str]]:
    with OVERSIZE_FILE.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    header = rows[0][1:]
    for row in rows[1:]:
        for column, cell in enumerate(row[1:]):
            if cell == "1" and row[0] < header[column]:
                yield row[0], header[column]


def phone_of(node_id: str) -> str:
    """Return a made-up number for an anonymised id: X17 -> +442079460017 (a UK drama range)."""
    return f"+442079460{int(node_id[1:]):03d}"


def oversize_network() -> Network:
    """Calls between phone numbers, one per 1 in the upper triangle of the adjacency matrix."""
    pairs = list(oversize_pairs())
    reference: nx.Graph[str] = nx.Graph()
    reference.add_edges_from(pairs)
    key_of = {node: f"phone:{phone_of(node)}" for node in reference.nodes}
    entities = [
        {
            "id": f"oversize-call-{number}",
            "schema": "Call",
            "properties": {"callerNumber": [phone_of(left)], "receiverNumber": [phone_of(right)]},
        }
        for number, (left, right) in enumerate(pairs)
    ]
    return Network(reference, key_of, entities)


def ftm_lines(entities: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(entity, ensure_ascii=False) + "\n" for entity in entities).encode()


def load_network(
    factory: sessionmaker[Session], ctx: RequestContext, number: str, network: Network, file_name: str
) -> None:
    """Import the network's entities into case ``number`` through the FtM import service."""
    with transaction(factory) as session:
        import_ftm(session, ctx, number, io.BytesIO(ftm_lines(network.entities)), file_name=file_name)
