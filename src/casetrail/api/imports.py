"""Import of files into a case.

The upload is handed to the importer as a file object and read line by line: Starlette spools
a large upload to a temporary file, and nothing here reads it whole into memory.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, status

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.imports import FtmUpload, ImportReportOut, SkippedValue
from casetrail.exchange.ftm_import import ImportReport, import_ftm
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(prefix="/cases/{number}/imports", tags=["imports"])

DEFAULT_FILE_NAME = "upload.ftm.json"


@router.post("/ftm", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 404, 409))
def import_ftm_upload(
    number: str,
    upload: Annotated[FtmUpload, Form(media_type="multipart/form-data")],
    session: DbSession,
    ctx: Ctx,
) -> ImportReportOut:
    """Import FtM entities into the case in one transaction.

    An invalid line rejects the whole file (422 import_failed, with the line and the property in
    ``fields``) and nothing of it stays in the case.
    """
    report = import_ftm(
        session,
        ctx,
        number,
        upload.file.file,
        file_name=upload.file.filename or DEFAULT_FILE_NAME,
        skip_invalid_values=upload.skip_invalid_values,
    )
    return _report_out(report)


def _report_out(report: ImportReport) -> ImportReportOut:
    return ImportReportOut(
        batch_id=report.batch_id,
        file_name=report.file_name,
        sha256=report.sha256,
        lines=report.lines,
        entities=report.entities,
        statements=report.statements,
        schemata=dict(report.schemata),
        skipped_values=[
            SkippedValue(line=line, property=prop, reason=reason)
            for line, prop, reason in report.skipped_values
        ],
        dangling_references=report.dangling_references,
    )
