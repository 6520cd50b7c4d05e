"""Full-text search results."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SnippetOut(BaseModel):
    text: str = Field(description="Plain text around the best matches; not HTML.")
    highlights: list[tuple[int, int]] = Field(
        description="Start and end character offsets of each match in text, in order."
    )


class SearchHitOut(BaseModel):
    type: str = Field(description="document, note or entity.")
    id: str = Field(description="The document, note or entity id.")
    case: str = Field(description="Number of the case the result belongs to.")
    page: int | None = Field(description="1-based page of a document; null for notes and entities.")
    title: str
    snippet: SnippetOut
    date: datetime | None = Field(description="Document date, or when the note or entity was recorded.")
    author: str = Field(description="Author or sender of a document, author of a note.")
    media_type: str = Field(description="A document's media type, or an entity's FtM schema.")
    labels: list[str]
    score: float = Field(description="Relevance; higher is better. Scales differ between databases.")
    link: str = Field(description="Path of the result's page in the web UI.")


class SearchPageOut(BaseModel):
    results: list[SearchHitOut]
    total: int
    page: int
    page_size: int
    pages: int
    sort: str
    case: str | None = Field(description="The case searched, or null for every case you may see.")
