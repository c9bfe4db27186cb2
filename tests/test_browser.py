"""A real headless Chromium opens the built site: every image loads, math renders, no network."""

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from specialist.pipeline import plan as plans
from specialist.site import pages

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
    for name in plans.discover(quick_workspace):
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
        number = pages.figure_numbers(quick_workspace.book)[f"fig-{name}"]["number"]
        assert caption.startswith(number + " "), (name, number, caption)
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


def _local(url: str, site: Path) -> Path:
    """The file a link resolves to; it must stay inside the site (which works offline)."""
    parsed = urlparse(url)
    assert parsed.scheme == "file", url
    path = Path(unquote(parsed.path)).resolve()
    assert path.is_relative_to(site.resolve()), f"{url} leaves the site"
    return path


def test_download_links_work_from_file_urls(browser, built_site, quick_workspace):
    """Every kind of download on an artefact page is a file of the run, copied into the site."""
    name = "fig3_structure"
    results = quick_workspace.artefact_dir("quick", name)
    page, remote, failed = _open(browser, built_site / "generated" / f"{name}.html")
    links = page.eval_on_selector_all(
        "a.download", "els => els.map(e => ({href: e.href, text: e.innerText.trim()}))"
    )
    kinds = {}
    for link in links:
        target = _local(link["href"], built_site)
        kinds.setdefault(target.suffix, []).append(target)
    assert {".png", ".svg", ".csv", ".json", ".ipynb"} <= set(kinds), sorted(kinds)
    for targets in kinds.values():
        first = targets[0]
        assert first.read_bytes() == (results / first.name).read_bytes(), first
    json_names = {t.name for t in kinds[".json"]}
    assert {"metrics.json", "provenance.json"} <= json_names
    # the browser follows the figure links: the PNG and the SVG open and render
    for suffix in (".png", ".svg"):
        fig = browser.new_page()
        response = fig.goto(kinds[suffix][0].as_uri())
        assert response is not None and response.ok
        size = fig.evaluate(
            "() => { const i = document.querySelector('img, svg');"
            " const r = i.getBoundingClientRect(); return [r.width, r.height]; }"
        )
        assert min(size) > 50, (suffix, size)
        fig.close()
    # the page's download button offers the notebook
    button = page.locator(".dropdown-download-buttons a[href$='.ipynb']")
    assert button.count() == 1
    source = _local(button.evaluate("a => a.href"), built_site)
    assert source.is_file() and b'"cells"' in source.read_bytes()
    assert not remote and not failed
    page.close()


def test_figures_stay_readable_in_dark_mode(browser, built_site, tmp_path):
    """In the theme's dark mode the page turns dark and the figure stays an opaque white area."""
    import numpy as np
    from PIL import Image

    page = browser.new_page()
    page.emulate_media(color_scheme="dark")
    page.goto((built_site / "generated" / "fig3_structure.html").as_uri(), wait_until="load")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    shot = tmp_path / "dark.png"
    page.screenshot(path=str(shot), full_page=True)
    box = page.locator("figure#fig-fig3-structure img").bounding_box()
    page.close()
    image = np.asarray(Image.open(shot).convert("L"), dtype=float)
    x0, y0 = int(box["x"]), int(box["y"])
    figure = image[y0 : y0 + int(box["height"]), x0 : x0 + int(box["width"])]
    background = image[y0 : y0 + int(box["height"]), 2 : max(3, x0 // 4)]
    assert np.median(background) < 80, "the page did not turn dark"
    assert np.median(figure) > 150, "the figure area is dark: is its background transparent?"
