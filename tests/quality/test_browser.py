"""The hub in a real browser: every tab opened, every demo run with its first example.

Playwright drives Debian's Chromium (never a downloaded browser) against the `hub` fixture's
`showcase launch`. Each demo is run as a person would run it, by clicking, and must show a real
output: a label, an image whose pixels loaded and are not one flat colour, a caption, a
translation, audio with a duration. A screenshot of each demo lands in the test-artifacts folder,
also when the test fails, so a failure can be seen, not only read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from pathlib import Path

import pytest

from showcase import registry
from showcase.apps import sentiment as sentiment_app
from showcase.apps import translation as translation_app
from showcase.apps import tts as tts_app
from tests.support import ARTIFACTS, shipped

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # checked by the `browser` fixture, which skips (or fails on CI)
    PlaywrightError, expect, sync_playwright = Exception, None, None

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests may run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    # No internet here: without these Chromium keeps retrying Google's services in the background.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ARTIFACTS / "screenshots"
# Inference runs on CPU and the hub warms its models up in the background after it starts, so
# the first request to a demo can wait for a model to load: generous, but bounded.
OUTPUT_TIMEOUT_MS = 120_000
# Clicks, and examples filling their inputs (Gradio loads an example through the server).
UI_TIMEOUT_MS = 30_000

# An <img> has loaded (naturalWidth > 0) and is not one flat colour: drawn onto a small canvas,
# its grey levels must spread. Images come from the hub itself, so the canvas is never tainted.
IMAGE_HAS_PIXELS_JS = """
img => {
    if (!img.complete || img.naturalWidth === 0) return false;
    const canvas = document.createElement("canvas");
    canvas.width = Math.min(img.naturalWidth, 128);
    canvas.height = Math.min(img.naturalHeight, 128);
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0, canvas.width, canvas.height);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let lowest = 255, highest = 0;
    for (let i = 0; i < data.length; i += 4) {
        const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
        lowest = Math.min(lowest, grey);
        highest = Math.max(highest, grey);
    }
    return highest - lowest > 8;
}
"""
# Gradio's audio player plays through an <audio> of its own, inside the waveform's shadow DOM
# (the locator finds it there; document.querySelector would not). Its metadata must load.
AUDIO_DURATION_JS = "audio => Number.isFinite(audio.duration) && audio.duration > 0"


@dataclasses.dataclass
class HubPage:
    """The browser page on the hub, with what went wrong in it (uncaught errors, console errors)."""

    page: object  # playwright.sync_api.Page
    page_errors: list[str] = dataclasses.field(default_factory=list)
    console_errors: list[str] = dataclasses.field(default_factory=list)

    def open_tab(self, demo: str):
        self.dismiss_toasts()
        tab = self.page.locator(f'button[role="tab"][data-tab-id="{demo}"]')
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        return self.page

    def dismiss_toasts(self) -> None:
        """Close the messages a previous demo left (they stay for seconds), so an error toast on
        screen belongs to the demo being run."""
        for close in visible(self.page.get_by_test_id("toast-close")).all():
            with contextlib.suppress(PlaywrightError):  # it may be fading out on its own already
                close.click(timeout=2_000)
        expect(visible(self.page.get_by_test_id("toast-body"))).to_have_count(0)

    def assert_healthy(self) -> None:
        """No uncaught script error, no console error, and no traceback shown to the person."""
        assert not self.page_errors, self.page_errors
        assert not self.console_errors, self.console_errors
        assert "Traceback" not in self.page.locator("body").inner_text()


def visible(locator):
    """Only what is on screen: tabs not shown stay in the DOM, with the same labels and buttons."""
    return locator.filter(visible=True)


def button(page, name: str):
    return visible(page.get_by_role("button", name=name, exact=True))


def block(page, label: str):
    """The component box (Gradio's div.block) whose label reads exactly ``label``."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    label_element = page.locator('[data-testid="block-label"], [data-testid="block-info"]')
    return visible(page.locator("div.block").filter(has=label_element.filter(has_text=exact)))


def first_example(page):
    """The first entry of the visible gr.Examples: a button, or a row when it fills two inputs."""
    examples = page.locator("button.gallery-item, table[role='grid'] tbody tr")
    return visible(examples).first


def wait_for_output(page, output, *, shown: bool = True) -> None:
    """Wait until ``output`` shows (or, with ``shown=False``, is in the page, as a media element
    without controls of its own is), failing at once, with its message, if an error toast shows.
    """
    error_toast = visible(page.get_by_test_id("toast-body").and_(page.locator(".error")))
    either = expect(output.or_(error_toast).first)
    if shown:
        either.to_be_visible(timeout=OUTPUT_TIMEOUT_MS)
    else:
        either.to_be_attached(timeout=OUTPUT_TIMEOUT_MS)
    if error_toast.count():
        pytest.fail(f"the demo showed an error: {error_toast.first.inner_text()!r}")


def expect_image_with_pixels(page, image) -> None:
    wait_for_output(page, image)
    # Gradio marks output images loading="lazy": they load only once scrolled into view.
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        IMAGE_HAS_PIXELS_JS, arg=image.element_handle(), timeout=OUTPUT_TIMEOUT_MS
    )


# ---------------------------------------------------------------------------------------------
# One run per demo: the first example (or the default inputs), the main button, a real output.


def run_sentiment(page) -> None:
    sentence = visible(page.get_by_role("textbox", name="Sentence", exact=True))
    first_example(page).click()
    # The example reaches the textbox through a server call; clicking Classify before it has
    # arrived would classify an empty sentence.
    expect(sentence).to_have_value(sentiment_app.EXAMPLES[0], timeout=UI_TIMEOUT_MS)
    button(page, "Classify").click()
    label = visible(page.get_by_test_id("label-output-value"))
    wait_for_output(page, label)
    expect(label).to_have_text("positive")


def run_style_transfer(page) -> None:
    fast_styles = visible(page.get_by_role("tab", name="Fast styles", exact=True))
    expect(fast_styles).to_have_attribute("aria-selected", "true")
    first_example(page).click()
    expect_image_with_pixels(page, block(page, "Photo").locator("img").first)
    button(page, "Stylise").click()
    expect_image_with_pixels(page, block(page, "Result").locator("img").first)


def run_dcgan(page) -> None:
    button(page, "Draw!").click()
    expect_image_with_pixels(page, block(page, "Generated").locator("img").first)


def run_captioning(page) -> None:
    button(page, "Draw and caption a scene").click()
    best_caption = page.get_by_role("grid", name="Best captions").get_by_test_id("cell-0-0")
    wait_for_output(page, best_caption)
    expect(best_caption).to_have_text(re.compile(r"[a-z]+ [a-z]+"))
    expect_image_with_pixels(page, block(page, "Picture").locator("img").first)


def run_translation(page) -> None:
    source_text, direction = translation_app.EXAMPLES[0]
    english = visible(page.get_by_role("textbox", name=re.compile(r"^English text")))
    first_example(page).click()
    # Like every example, it arrives through the server: wait before translating.
    expect(english).to_have_value(source_text, timeout=UI_TIMEOUT_MS)
    expect(visible(page.get_by_role("combobox", name="Direction", exact=True))).to_have_value(
        direction
    )
    button(page, "Translate").click()
    translation = visible(page.get_by_role("textbox", name="Translation", exact=True))
    expect(translation).to_have_value(re.compile(r"\w+ \w+"), timeout=OUTPUT_TIMEOUT_MS)
    expect(translation).not_to_have_value(source_text)


def run_tts(page) -> None:
    english = visible(page.get_by_role("textbox", name=re.compile(r"^English text")))
    first_example(page).click()
    expect(english).to_have_value(tts_app.EXAMPLES[0], timeout=UI_TIMEOUT_MS)
    button(page, "Speak").click()
    # The hub runs with the same (isolated) user folders as this process: it has a voice if the
    # package ships one, and then it must speak.
    if shipped("tts"):
        audio = page.locator("audio[src]").first
        wait_for_output(page, audio, shown=False)
        page.wait_for_function(
            AUDIO_DURATION_JS, arg=audio.element_handle(), timeout=OUTPUT_TIMEOUT_MS
        )
    else:
        # No voice ships yet: the person must get the readable message, not a stack trace.
        message = visible(page.get_by_test_id("toast-text"))
        expect(message).to_contain_text("No speech model is installed", timeout=OUTPUT_TIMEOUT_MS)


def run_lessons(page) -> None:
    lesson_tab = page.locator('button[role="tab"][data-tab-id="lesson_running_mean"]')
    lesson_tab.click()
    expect(lesson_tab).to_have_attribute("aria-selected", "true")
    button(page, "Show").click()
    figure = visible(page.get_by_test_id("matplotlib")).locator("img").first
    expect_image_with_pixels(page, figure)


def run_rl(page) -> None:
    # The Connect Four tab: a stone dropped in column 4 is answered by AlphaZero's move.
    page.get_by_role("tab", name="Play Connect Four").click()
    button(page, "4").click()
    moves = visible(page.get_by_role("textbox", name=re.compile(r"^Moves so far")))
    expect(moves).to_have_value(re.compile(r"^4 [1-7]$"), timeout=OUTPUT_TIMEOUT_MS)
    expect_image_with_pixels(page, block(page, "Board").locator("img").first)


def run_vqa(page) -> None:
    # A typed question about scene 0: every model answers in the table, the scene is drawn.
    typed = visible(page.get_by_role("textbox", name=re.compile(r"or type a question")))
    typed.fill("How many objects have the same shape as the red object?")
    button(page, "Answer").click()
    # A table cell holding exactly the model's name (the page's prose names it within sentences).
    cell = visible(page.get_by_text("Relation Network", exact=True)).first
    expect(cell).to_be_visible(timeout=OUTPUT_TIMEOUT_MS)
    expect_image_with_pixels(page, block(page, "Scene").locator("img").first)


def run_image_to_image(page) -> None:
    # The photo tab: the drawn example is redrawn by both models from its Canny drawing.
    page.get_by_role("tab", name="Photo → drawing → photo").click()
    first_example(page).click()
    expect_image_with_pixels(page, block(page, "A photo").locator("img").first)
    button(page, "Redraw it").click()
    expect_image_with_pixels(page, block(page, "pix2pix (L1 + GAN)").locator("img").first)
    # The colour tab: the example coloured; a click on the grey picture adds a hint there.
    page.get_by_role("tab", name="Grey → colour").click()
    first_example(page).click()
    expect_image_with_pixels(page, block(page, "A photo").locator("img").first)
    button(page, "Colourise").click()
    grey = block(page, "Grey (click to add a hint)").locator("img").first
    expect_image_with_pixels(page, grey)
    expect_image_with_pixels(page, block(page, "Classes (Zhang et al. 2016)").locator("img").first)
    grey.click()
    hints = visible(page.get_by_role("textbox", name=re.compile(r"^Hints")))
    expect(hints).to_have_value(re.compile(r"^\d+, \d+, #[0-9a-f]{6}$"), timeout=OUTPUT_TIMEOUT_MS)


RUNS = {
    "sentiment": run_sentiment,
    "style_transfer": run_style_transfer,
    "dcgan": run_dcgan,
    "captioning": run_captioning,
    "translation": run_translation,
    "tts": run_tts,
    "lessons": run_lessons,
    "rl": run_rl,
    "vqa": run_vqa,
    "image_to_image": run_image_to_image,
}


# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright; skipped where either is missing, except on CI."""
    missing = None
    if sync_playwright is None:
        missing = "the playwright package is not installed"
    elif not CHROMIUM.is_file():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
    if missing:
        if os.environ.get("CI") == "true":  # CI installs both: a skip there would hide a gap
            pytest.fail(f"browser tests cannot run on CI: {missing}", pytrace=False)
        pytest.skip(missing)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def hub_page(browser, hub):
    # Wide enough for every demo's tab: narrower windows fold the last ones into "More tabs".
    page = browser.new_page(viewport={"width": 1920, "height": 1000})
    page.set_default_timeout(UI_TIMEOUT_MS)
    watched = HubPage(page)

    def on_console(message):
        if message.type == "error":
            watched.console_errors.append(message.text)

    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on("console", on_console)
    page.goto(hub.url, wait_until="domcontentloaded")
    expect(page.get_by_role("tab").first).to_be_visible(timeout=OUTPUT_TIMEOUT_MS)
    yield watched
    page.close()


def test_hub_shows_a_tab_per_demo_in_registry_order(hub_page):
    page = hub_page.page
    expect(page).to_have_title("showcase")
    top_tabs = page.get_by_role("tablist").first.get_by_role("tab")
    assert top_tabs.evaluate_all("tabs => tabs.map(t => t.dataset.tabId)") == list(registry.DEMOS)
    for name, demo in registry.DEMOS.items():
        expect(top_tabs.and_(page.locator(f'[data-tab-id="{name}"]'))).to_have_text(demo.title)
    hub_page.assert_healthy()


@pytest.mark.parametrize("demo", list(registry.DEMOS))
def test_demo_runs_its_first_example_in_the_browser(hub_page, demo):
    assert demo in RUNS, f"{demo} has no browser run: add one to RUNS"
    page = hub_page.open_tab(demo)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        # The demo's own heading shows, so the click reached the right tab.
        heading = visible(page.get_by_role("heading", level=2)).first
        expect(heading).to_contain_text(registry.get(demo).title)
        RUNS[demo](page)
        hub_page.assert_healthy()
    finally:
        page.screenshot(path=SCREENSHOTS / f"{demo}.png", full_page=True)
