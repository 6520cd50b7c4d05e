"""Sample renderings of templates as PDF and PNG pages, to look at a layout without a case.

``casetrail doc sample --out DIR`` writes, for each template, ``KEY.pdf`` and one
``KEY-pN.png`` per page, rasterised by pdfium. The samples use the data of ``sample`` and an
approved footer, so they show every section and the footer as an issued document has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2

from casetrail.legal.definitions import parse_definition
from casetrail.legal.library import SAMPLE_DOCUMENT_ID, shipped_keys
from casetrail.legal.render import compile_pdf, shipped_file
from casetrail.legal.sample import SAMPLE_TIME, sample_inputs
from casetrail.legal.sealing import content_sha256, footer_meta

# 1.5 renders an A4 page at 108 dots per inch (pdfium's scale 1 is 72 dots per inch).
DEFAULT_SCALE = 1.5


@dataclass(frozen=True)
class SampleFiles:
    key: str
    pdf: Path
    pages: list[Path]


def render_sample_pdf(key: str, source: str, definition_text: str) -> bytes:
    definition = parse_definition(definition_text, key)
    inputs = sample_inputs(key, definition)
    meta = footer_meta(
        document_id=SAMPLE_DOCUMENT_ID,
        version=1,
        status="approved",
        content_hash=content_sha256(inputs),
        approved_by="sam",
        approved_at=SAMPLE_TIME,
    )
    return compile_pdf(key, source, inputs, meta, SAMPLE_TIME)


def rasterise(pdf: bytes, stem: Path, scale: float = DEFAULT_SCALE) -> list[Path]:
    """Write each page of ``pdf`` as ``<stem>-p<N>.png`` and return the paths."""
    document = pypdfium2.PdfDocument(pdf)
    paths = []
    try:
        for index, page in enumerate(document, start=1):
            path = stem.with_name(f"{stem.name}-p{index}.png")
            bitmap = page.render(scale=scale)
            bitmap.to_pil().save(path)
            bitmap.close()
            page.close()
            paths.append(path)
    finally:
        document.close()
    return paths


def write_samples(
    out: Path, keys: list[str] | None = None, scale: float = DEFAULT_SCALE
) -> list[SampleFiles]:
    """Render the shipped templates (or ``keys`` of them) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for key in keys or shipped_keys():
        pdf = render_sample_pdf(key, shipped_file(f"{key}.typ"), shipped_file(f"{key}.toml"))
        pdf_path = out / f"{key}.pdf"
        pdf_path.write_bytes(pdf)
        written.append(SampleFiles(key, pdf_path, rasterise(pdf, out / key, scale)))
    return written
