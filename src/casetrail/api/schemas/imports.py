"""Reports of file imports."""

from __future__ import annotations

from fastapi import UploadFile
from pydantic import BaseModel, Field


class SkippedValue(BaseModel):
    line: int = Field(description="Line of the file, counting from 1.")
    property: str
    reason: str


class ImportReportOut(BaseModel):
    batch_id: str = Field(description="The import batch: the source id of every statement it created.")
    file_name: str
    sha256: str = Field(description="SHA-256 of the file as received, in hex.")
    lines: int
    entities: int
    statements: int
    schemata: dict[str, int] = Field(description='Entities per schema, e.g. {"Person": 6}.')
    skipped_values: list[SkippedValue] = Field(
        description="Values left out because they did not clean (only with skip_invalid_values)."
    )
    dangling_references: int = Field(
        description="References to entities neither in the file nor in the case; kept as ids."
    )


class FtmUpload(BaseModel):
    """The multipart form of an FtM import."""

    file: UploadFile = Field(description="FollowTheMoney entity JSON, one entity per line (UTF-8).")
    skip_invalid_values: bool = Field(
        default=False,
        description=(
            "Leave out values that do not clean for their property's type and list them in the "
            "report, instead of rejecting the file."
        ),
    )
