"""A real headless Chromium opens the built site: every image loads, math renders, no network."""

import shutil

import pytest

from specialist import runner

pytestmark = [pytest.mark.pipeline, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        if __import__("os").environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it with apt)")
        pytest.skip("chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


def _open(browser, path):
    page = browser.new_page()
    remote = []
    page.on(
        "request",
        lambda r: (
            remote.append(r.url) if not r.url.startswith(("file:", "data:", "about:")) else None
        ),
    )
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, remote, failed


def test_every_artefact_page_shows_its_images(browser, built_site, quick_workspace, tmp_path):
    for name in runner.discover(quick_workspace):
        page, remote, failed = _open(browser, built_site / "generated" / f"{name}.html")
        images = page.eval_on_selector_all(
            "article img",
            "els => els.map(e => ({src: e.src, ok: e.complete && e.naturalWidth > 0}))",
        )
        assert images, f"{name}: no image on the page"
        broken = [i["src"] for i in images if not i["ok"]]
        assert not broken, f"{name}: images that did not load: {broken}"
        label = "fig-" + name.replace("_", "-")
        assert page.locator(f"figure#{label} img").count() == 1
        caption = page.locator(f"figure#{label} figcaption").inner_text()
        assert caption.startswith("Figure"), caption
        assert not remote, f"{name}: requested {remote}"
        assert not failed, f"{name}: failed requests {failed}"
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        page.close()


def test_math_renders_offline(browser, built_site):
    page, remote, failed = _open(browser, built_site / "intro.html")
    page.wait_for_selector("mjx-container", timeout=20000)
    assert page.locator("mjx-container").count() > 0
    assert not remote and not failed
    page.close()
