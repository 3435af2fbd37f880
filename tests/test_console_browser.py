"""Must-show 1 and 3 of issue 13: the operator's day in a real headless Chromium, driven by Selenium.

The face pipeline runs on the Hamilton clip with Lin enrolled while the Today page is open; the page
shows the punch without a reload. Then an S absence with a PDF letter, a punch's evidence photo
opened in place, the November recap XLSX compared cell by cell with `kiosk report rekap --format
xlsx`, and logging out. Screenshots of every page at 1366x768 and at a 390 px phone width go to
$KIOSK_CONSOLE_SCREENSHOTS (docs/console/ when regenerating the docs), else to the test's tmp dir.
"""

from __future__ import annotations

import io
import os
import time
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli.main import cli
from kiosk.domain import Method, NewPunch

from console_helpers import OPERATOR, PASSWORD, TECHNICIAN, start_console
from faces import ALEX, CLIP, LIN, OBAMA, enrolled_copy, write_config

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
DESKTOP, PHONE = (1366, 768), (390, 844)

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(f"{CHROMIUM} or {CHROMEDRIVER} missing: apt-get install chromium chromium-driver", allow_module_level=True)

from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=id", "--window-size=1366,900"):
        options.add_argument(argument)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    # An explicit driver path: Selenium Manager must not download anything.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.downloads = downloads
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


class Shots:
    """Screenshots of the page at the desktop size and the phone width, saved small (palette PNG)."""

    def __init__(self, driver, folder: Path) -> None:
        self.driver, self.folder = driver, folder
        folder.mkdir(parents=True, exist_ok=True)

    def size(self, width: int, height: int) -> None:
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )

    def take(self, name: str) -> None:
        from PIL import Image

        for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
            self.size(width, height)
            time.sleep(0.2)  # let the layout settle after the resize (a picture, not an assertion)
            image = Image.open(io.BytesIO(self.driver.get_screenshot_as_png())).convert("RGB")
            assert image.size == (width, height), image.size
            image.quantize(colors=64).save(self.folder / f"{name}-{label}.png", optimize=True)
        self.size(*DESKTOP)


def _login(driver, url: str, name: str) -> None:
    driver.get(url + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, 20).until(ready.url_contains("/today"))


def _seed_november(store) -> None:
    """A few November days for Lin, Obama and Alex: on time, late, early, missing."""
    punches = []
    for day in range(2, 28):
        for nip, arrive, leave in ((LIN, "07:25", "16:05"), (OBAMA, "07:52", "15:40"), (ALEX, "07:29", "16:01")):
            if day % 7 == 3 and nip == ALEX:
                continue
            for clock in (arrive, leave):
                moment = datetime.fromisoformat(f"2026-11-{day:02d}T{clock}:00+07:00")
                punches.append(NewPunch(nip, moment, Method.FINGERPRINT if nip == OBAMA else Method.FACE))
    store.punches.record_many(punches)


def _xlsx_rows(data: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return [tuple(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def test_operator_day_in_a_real_browser(tmp_path, enrolled_template, browser):
    data_dir = enrolled_copy(enrolled_template, tmp_path)
    config = write_config(tmp_path, data_dir, CLIP, extra="[console]\nenabled = true\nrefresh_seconds = 5\n")
    shots = Shots(browser, Path(os.environ.get("KIOSK_CONSOLE_SCREENSHOTS") or tmp_path / "shots"))
    server, running = start_console(config)
    try:
        _seed_november(running.store)
        url = running.url
        shots.size(*DESKTOP)

        # 1. log in as the operator
        browser.get(url + "/today")
        assert "/login" in browser.current_url
        shots.take("login")
        _login(browser, url, OPERATOR)
        lin_row = f'#today-table tr[data-nip="{LIN}"]'
        assert browser.find_elements(By.CSS_SELECTOR, lin_row + " .method-face") == []

        # 2. the face pipeline records Lin from the clip while Today is open; the page shows it without a reload
        browser.execute_script("window.stillThisPage = true;")
        run = CliRunner().invoke(cli, ["--config", str(config), "run", "--exit-at-end"], catch_exceptions=False)
        assert run.exit_code == 0, run.output
        (punch,) = [p for p in running.store.punches.page(limit=100000) if p.method == Method.FACE and p.photo]
        assert punch.nip == LIN
        shown = WebDriverWait(browser, 60).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, lin_row + " .method-face") and d.find_element(By.CSS_SELECTOR, lin_row)
        )
        assert f"{punch.local_time:%H:%M}" in shown.text and "wajah" in shown.text
        assert browser.execute_script("return window.stillThisPage === true")  # refreshed in place, not reloaded
        shots.take("today")

        # 3. an S absence for Lin with a PDF letter
        letter = tmp_path / "surat-sakit.pdf"
        letter.write_bytes(PDF)
        browser.get(url + "/absences")
        form = browser.find_element(By.ID, "absence-form")
        Select(form.find_element(By.NAME, "nip")).select_by_value(LIN)
        Select(form.find_element(By.NAME, "code")).select_by_value("S")
        _set_date(browser, form.find_element(By.NAME, "date_from"), "2026-11-10")
        _set_date(browser, form.find_element(By.NAME, "date_to"), "2026-11-11")
        form.find_element(By.NAME, "note").send_keys("Surat keterangan sakit No. 12/RS/XI/2026")
        form.find_element(By.NAME, "evidence").send_keys(str(letter))
        late = form.find_elements(By.NAME, "late_reason")
        if late:  # outside 10-11 and 17-18 the page asks why, instead of refusing
            late[0].send_keys("Surat diterima dari rumah sakit hari ini")
        form.find_element(By.ID, "save-absence").click()
        WebDriverWait(browser, 20).until(ready.presence_of_element_located((By.CSS_SELECTOR, ".flash.ok")))
        assert "tersimpan" in browser.find_element(By.CSS_SELECTOR, ".flash.ok").text
        (absence,) = running.store.absences.list(nip=LIN)
        assert (absence.code, absence.date_from, absence.date_to) == ("S", "2026-11-10", "2026-11-11")
        assert (data_dir / absence.evidence).read_bytes() == PDF
        row = browser.find_element(By.CSS_SELECTOR, f'#absence-table tr[data-id="{absence.id}"]')
        assert "S" in row.text and "Lin-Manuel Miranda" in row.text
        shots.take("absences")

        # 4. the punch's evidence photo opens in place
        day = punch.local_time.date().isoformat()
        browser.get(f"{url}/punches?from={day}&to={day}&nip={LIN}")
        row = browser.find_element(By.CSS_SELECTOR, f'#punch-table tr[data-seq="{punch.seq}"]')
        row.find_element(By.CSS_SELECTOR, "details.photo summary").click()
        image = row.find_element(By.CSS_SELECTOR, "details.photo img")
        WebDriverWait(browser, 20).until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image))
        assert image.is_displayed() and "/punches" in browser.current_url
        assert image.size["width"] > 50
        shots.take("punches")

        # 5. the November recap: on screen, and the XLSX identical in its cells to `kiosk report rekap`
        browser.get(url + "/recap?month=2026-11")
        table = browser.find_element(By.ID, "recap-table")
        assert "Lin-Manuel Miranda" in table.text and "Tidak Hadir" in table.text
        shots.take("recap")
        browser.find_element(By.ID, "download-xlsx").click()
        target = browser.downloads / "rekap-2026-11.xlsx"
        WebDriverWait(browser, 30).until(lambda d: target.exists() and not list(browser.downloads.glob("*.crdownload")))
        cli_file = tmp_path / "cli-rekap.xlsx"
        result = CliRunner().invoke(
            cli, ["--config", str(config), "report", "rekap", "--month", "2026-11", "--format", "xlsx", "--output", str(cli_file)]
        )
        assert result.exit_code == 0, result.output
        from_browser, from_cli = _xlsx_rows(target.read_bytes()), _xlsx_rows(cli_file.read_bytes())
        assert from_browser == from_cli
        lin = [r for r in from_cli if r[1] and LIN in str(r[1])]
        assert lin and lin[0][11] >= 2  # the two S days count in Tidak Hadir C

        # 6. log out: back to the login page, and the old pages need a login again
        browser.find_element(By.ID, "logout").click()
        WebDriverWait(browser, 20).until(ready.url_contains("/login"))
        browser.get(url + "/today")
        assert "/login" in browser.current_url and browser.find_element(By.ID, "password")

        # the technician's pages, for the screenshots (and to see they render in the browser)
        _login(browser, url, TECHNICIAN)
        for page, name in (("/employees", "employees"), ("/device?doctor=1", "device"), ("/config", "config")):
            browser.get(url + page)
            assert browser.find_element(By.TAG_NAME, "h1").text
            shots.take(name)
    finally:
        server.stop()
        running.store.close()


def _set_date(driver, element, iso: str) -> None:
    """Date inputs take keyboard input in the browser's locale; set the value as a script would."""
    driver.execute_script("arguments[0].value = arguments[1]", element, iso)

