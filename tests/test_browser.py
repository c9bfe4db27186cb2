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


def _errors(page) -> list[str]:
    """Collect the page's console errors and uncaught exceptions into a list, as they come."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


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
        # the artefact's numbered figure shows one image, or one table (Table 2)
        assert page.locator(f"figure#{label} :is(img, table)").count() == 1, name
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


def test_no_page_logs_an_error(browser, built_site):
    """Every page of the site loads without a console error or an uncaught exception (once,
    every page declared sphinx-thebe's constant twice: "Identifier 'THEBE_JS_URL' has already
    been declared")."""
    skip = ("_static", "_sources", "_downloads", "_images")
    paths = [
        p
        for p in sorted(built_site.rglob("*.html"))
        if p.relative_to(built_site).parts[0] not in skip
    ]
    assert len(paths) > 20
    logged = {}
    page = browser.new_page()
    errors = _errors(page)
    for path in paths:
        errors.clear()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(100)  # scripts that run after the load event
        if errors:
            logged[path.relative_to(built_site).as_posix()] = list(errors)
    page.close()
    assert not logged, f"console errors: {logged}"


def test_one_search_box_and_a_search_button_on_a_phone(browser, built_site):
    page = browser.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto((built_site / "theory.html").as_uri(), wait_until="load")
    boxes = page.locator(".search-button-field, .bd-search").filter(visible=True)
    assert boxes.count() == 1, f"{boxes.count()} search boxes at 1400 px"
    page.set_viewport_size({"width": 390, "height": 844})
    button = page.locator(".search-button, .search-button-field").filter(visible=True)
    assert button.count() >= 1, "no search button at 390 px"
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
    # captions in the body's colour, not the theme's dim grey
    colour = "e => getComputedStyle(e).color"
    caption = page.locator("figure#fig-fig3-structure figcaption p").first.evaluate(colour)
    body = page.locator("article p").first.evaluate(colour)
    page.close()
    assert caption == body, f"caption {caption} against body text {body} in dark mode"
    image = np.asarray(Image.open(shot).convert("L"), dtype=float)
    x0, y0 = int(box["x"]), int(box["y"])
    figure = image[y0 : y0 + int(box["height"]), x0 : x0 + int(box["width"])]
    background = image[y0 : y0 + int(box["height"]), 2 : max(3, x0 // 4)]
    assert np.median(background) < 80, "the page did not turn dark"
    assert np.median(figure) > 150, "the figure area is dark: is its background transparent?"
