"""Headless Chromium (Debian's `chromium` + `chromium-driver`, installed by `make chromium`) via Selenium.

Tests that look at a page the way a person does use `chromium_browser()`; they skip with a reason
when the Debian packages are absent (`make test` installs them first).
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def require_chromium() -> None:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (run `make chromium`)")


@contextlib.contextmanager
def chromium_browser(downloads: Path | None = None) -> Iterator[Any]:
    """A headless Chromium WebDriver; files downloaded by clicks land in `downloads`."""
    require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1400,1000")
    options.add_argument("--no-first-run")
    if downloads is not None:
        downloads.mkdir(parents=True, exist_ok=True)
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(downloads),
                "download.prompt_for_download": False,
                "safebrowsing.enabled": False,
            },
        )
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        if downloads is not None:  # headless Chromium needs to be told to save downloads
            driver.execute_cdp_cmd(
                "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
            )
        yield driver
    finally:
        driver.quit()


def wait_for(condition: Callable[[], T], timeout: float = 30.0, what: str = "condition") -> T:
    """Poll until `condition()` is truthy (exceptions count as not yet); return its value."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as exc:  # the page is still changing
            last = exc
        time.sleep(0.25)
    raise TimeoutError(
        f"timed out after {timeout:.0f}s waiting for {what}" + (f" (last: {last})" if last else "")
    )


def wait_for_download(folder: Path, name: str, timeout: float = 60.0) -> Path:
    """The downloaded file once Chromium has finished writing it (no .crdownload left)."""
    path = folder / name

    def done() -> bool:
        return path.exists() and not any(folder.glob("*.crdownload"))

    wait_for(done, timeout, f"download {path}")
    return path
