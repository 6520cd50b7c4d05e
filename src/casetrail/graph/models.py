"""Saved link charts.

A chart belongs to one case and stores what the analyst arranged: the entity ids on it, their
positions and pins, and the filters in force. ``payload`` is the chart's JSON document (see
``casetrail.graph.charts`` for its shape); entities are looked up again when the chart is opened,
so a chart never holds case content beyond ids, positions and the analyst's own title.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.base import Base


class SavedChart(Base):
    __tablename__ = "graph_chart"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_graph_chart_case_id", "case_id"),)
