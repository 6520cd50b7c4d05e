"""Seizing a phone in a real browser: register it, upload its image, print its label.

The upload goes through the page's script (progress and drag and drop), and the item page must
fit a phone screen (390 x 844 CSS pixels) without horizontal scrolling. Screenshots of each page
and a PNG of the label land in the test's temporary folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.keys import ensure_master_key
from casetrail.core.settings import Settings
from tests.browser.conftest import PHONE, LiveServer, horizontal_overflow, log_in, start_server, stop_server
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser

CASE_NUMBER = "2026-0142"
IMAGE_SIZE = 3 * 1024 * 1024 + 17
# The label is 100 x 62 mm.
LABEL_ASPECT = 100 / 62


@pytest.fixture
def server(
    factory: sessionmaker[Session], database_url: str, settings: Settings, tmp_path: Path
) -> Iterator[LiveServer]:
    make_user(factory, "rivera", unit="Narcotics Unit 3")
    make_case(factory, "rivera", title="House on Elm St", number=CASE_NUMBER, sensitivity="confidential")
    # The server's data folder is the test's, so the key made here is the one the server reads.
    ensure_master_key(settings)
    process, live = start_server(database_url, tmp_path)
    yield live
    stop_server(process)


@pytest.fixture
def phone_image(tmp_path: Path) -> Path:
    path = tmp_path / "phone-image.bin"
    block = hashlib.sha256(b"phone image").digest() * 1024
    with path.open("wb") as sink:
        written = 0
        while written < IMAGE_SIZE:
            piece = block[: IMAGE_SIZE - written]
            sink.write(piece)
            written += len(piece)
    return path


def _register_phone(page: Page) -> None:
    form = page.locator("#register form")
    form.get_by_label("Category").select_option("device")
    form.get_by_label("Seal number").fill("S-1001")
    form.get_by_label("Description").fill("Black smartphone, cracked screen")
    form.get_by_label("Obtained at, date and time").fill("2026-03-14T06:30")
    form.get_by_label("Method").fill("search warrant")
    form.get_by_label("Place").fill("12 Elm St, kitchen")
    form.get_by_label("Storage location").fill("Evidence room 2")
    form.get_by_role("button", name="Register item").click()


def _drop_file_on(page: Page, selector: str, name: str) -> None:
    """Drop a small file on the drop zone ``selector``, as dragging it from the desktop does."""
    page.evaluate(
        """([selector, name]) => {
            const zone = document.querySelector(selector);
            const transfer = new DataTransfer();
            transfer.items.add(new File(["dropped"], name, {type: "text/plain"}));
            const drop = {dataTransfer: transfer, bubbles: true, cancelable: true};
            zone.dispatchEvent(new DragEvent("drop", drop));
        }""",
        [selector, name],
    )


def test_register_upload_and_label(
    browser: BrowserContext, server: LiveServer, phone_image: Path, tmp_path: Path
) -> None:
    page = browser.new_page()
    log_in(page, server, "rivera")
    page.goto(f"{server.base_url}/cases/{CASE_NUMBER}")
    page.get_by_role("link", name="Evidence register").click()
    expect(page).to_have_url(f"{server.base_url}/cases/{CASE_NUMBER}/evidence")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence register")

    _register_phone(page)
    item_url = f"{server.base_url}/cases/{CASE_NUMBER}/evidence/E-0001"
    expect(page).to_have_url(item_url)
    expect(page.locator(".flash")).to_have_text("Item E-0001 registered.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("E-0001")
    expect(page.locator("#custody .custody-event")).to_have_count(1)
    expect(page.locator(".chain-ok")).to_contain_text("Hash chain verified: 1 events")

    upload = page.locator("#files form")
    _drop_file_on(page, "#files [data-dropzone]", "dropped-note.txt")
    expect(upload.locator(".chosen-files")).to_contain_text("dropped-note.txt")
    upload.locator('input[type="file"]').set_input_files(phone_image)
    expect(upload.locator(".chosen-files")).to_contain_text("phone-image.bin")
    upload.get_by_role("button", name="Upload").click()

    expect(page).to_have_url(f"{item_url}#files")
    expect(page.locator(".flash")).to_have_text("1 file added.")
    expected_sha256 = hashlib.sha256(phone_image.read_bytes()).hexdigest()
    listed = page.locator("#files .file").filter(has_text="phone-image.bin")
    expect(listed.locator(".sha256")).to_have_text(expected_sha256)
    expect(listed).to_contain_text(f"({IMAGE_SIZE} bytes)")
    expect(page.locator("#custody .event-file")).to_contain_text(expected_sha256)
    page.screenshot(path=tmp_path / "desktop-item.png", full_page=True)

    label_href = page.get_by_role("link", name="Label (PDF)").get_attribute("href")
    assert label_href is not None
    label = page.request.get(f"{server.base_url}{label_href}")
    assert label.status == 200
    assert label.headers["content-type"] == "application/pdf"
    assert label.body().startswith(b"%PDF-")
    label_path = tmp_path / "label.pdf"
    label_path.write_bytes(label.body())
    document = pypdfium2.PdfDocument(label_path)
    assert len(document) == 1
    width, height = document[0].get_size()
    assert abs(width / height - LABEL_ASPECT) < 0.01
    document[0].render(scale=4).to_pil().save(tmp_path / "label.png")
    document.close()

    page.goto(f"{server.base_url}/cases/{CASE_NUMBER}/evidence")
    expect(page.locator(".register-row")).to_have_count(1)
    expect(page.locator(".register-row")).to_contain_text("S-1001")
    page.screenshot(path=tmp_path / "desktop-register.png", full_page=True)

    page.set_viewport_size(PHONE)
    page.goto(item_url)
    expect(page.locator(".sensitivity")).to_be_visible()
    page.screenshot(path=tmp_path / "phone-item.png")
    page.screenshot(path=tmp_path / "phone-item-full.png", full_page=True)
    assert horizontal_overflow(page) == 0

    page.goto(f"{server.base_url}/cases/{CASE_NUMBER}/evidence")
    page.screenshot(path=tmp_path / "phone-register.png", full_page=True)
    assert horizontal_overflow(page) == 0
