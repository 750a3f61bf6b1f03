"""The combined dashboard (`spectro_nb/apps/dashboard.py`) in a real browser: Debian's Chromium driven by
pytest-playwright (set up by `browser_support.py`, which skips this module with the reason where that browser
or playwright is missing, and gives the screenshots' folder: $SPECTRO_NB_SCREENSHOTS, else a pytest temporary
folder) against `spectro_nb.apps.dashboard.serve` (what `spectro-nb serve` calls) on a free loopback port.

The page holds the four sections as tabs (`.dash-tabs`); each section's view writes into the page what its own
browser tests check (`.soc-pixel`, `.mrf-summary`, `.ir-summary`, `.irf-summary`, ...). Playwright's CSS
locators pierce the open shadow roots Panel renders into. Every wait is on the page's content.
"""
import os, sys

import pytest

# skips this module where Chromium, playwright or Panel is missing; the fixtures are used by name
from browser_support import (_free_port, browser_context_args, browser_type_launch_args,  # noqa: F401
                             expect, served, shots, text as _text)

START_TIMEOUT = 90   # s: the server's first session imports Panel, HoloViews and the package
WAIT = 60_000        # ms: the longest a page element is waited for (the MRF example's simulation and inference included)


@pytest.fixture(scope='module')
def dash_url(tmp_path_factory):
    "`serve(port)` of the dashboard in a child process on a free loopback port; its URL once a session renders; always stopped, its log checked."
    port = _free_port()
    code = f"import torch; torch.set_num_threads(1)\nfrom spectro_nb.apps.dashboard import serve\nserve(port={port})"
    with served([sys.executable, '-c', code], f'http://127.0.0.1:{port}/', tmp_path_factory, START_TIMEOUT, 30, 'serve') as url:
        yield url


def _soc_ready(page):
    expect(page.locator('.soc-pixel p')).to_contain_text('pixel (x=', timeout=WAIT)
    expect(page.locator('.soc-image canvas').first).to_be_visible(timeout=WAIT)
    return page


def _leave(*pages):
    "Leave by navigation (a clean websocket close; closing a context may cut it mid-message, which tornado logs as a traceback)."
    for p in pages: p.goto('about:blank')


def _tab(page, title): page.locator('.dash-tabs .bk-tab', has_text=title).first.click()


def test_loads_and_every_section_renders(page, dash_url, shots):
    page.goto(dash_url)
    _soc_ready(page)
    expect(page.locator('.soc-fit button')).to_be_visible(timeout=WAIT)    # the SOC controls in the sidebar
    assert 'Traceback' not in page.content()
    page.screenshot(path=shots/'dashboard_soc.png', full_page=True)
    # the MRF section: made when first opened, its inference in the background
    _tab(page, 'MRF')
    expect(page.locator('.mrf-summary p').first).to_contain_text('Result:', timeout=WAIT)
    expect(page.locator('.mrf-profile canvas').first).to_be_visible(timeout=WAIT)
    expect(page.locator('.mrf-status p').first).to_contain_text('done', timeout=WAIT)
    for var in ('i_e', 'phi_e', 'sigma_eff', 'c_e'):                          # the maps drawn at their size (a wrapping
        canvas = page.locator(f'.mrf-map-{var}.mrf-value canvas').first       # layout once collapsed them to a sliver)
        expect(canvas).to_be_visible(timeout=WAIT)
        page.wait_for_function('c => c.getBoundingClientRect().width > 150', arg=canvas.element_handle(), timeout=WAIT)
    expect(page.locator('.mrf-run button')).to_be_visible(timeout=WAIT)     # the sidebar follows the tab
    expect(page.locator('.soc-fit button')).to_have_count(0, timeout=WAIT)
    page.wait_for_timeout(500)
    page.screenshot(path=shots/'dashboard_mrf.png', full_page=True)
    _tab(page, 'IR dataset')
    expect(page.locator('.ir-summary p').first).to_contain_text('System ', timeout=WAIT)
    for cls in ('ir-heatmap', 'ir-diff', 'ir-bands', 'ir-voltage'):
        expect(page.locator(f'.{cls} canvas').first).to_be_visible(timeout=WAIT)
    page.screenshot(path=shots/'dashboard_ir_dataset.png', full_page=True)
    _tab(page, 'IR forecast')
    expect(page.locator('.irf-summary p').first).to_contain_text('No forecast yet', timeout=WAIT)
    for cls in ('irf-static-plot', 'irf-protocol'): expect(page.locator(f'.{cls} canvas').first).to_be_visible(timeout=WAIT)
    page.screenshot(path=shots/'dashboard_ir_forecast.png', full_page=True)
    _tab(page, 'SOC')                                                         # back: the same SOC view, still drawn
    _soc_ready(page)
    assert 'Traceback' not in page.content()
    page.set_viewport_size({'width': 1200, 'height': 800})                  # the README's picture (nbs/images/dashboard.png)
    page.wait_for_timeout(800)
    page.screenshot(path=shots/'dashboard.png')
    _leave(page)


def test_bad_upload_shows_message(page, dash_url, shots):
    page.goto(dash_url)
    _soc_ready(page)
    alert = page.locator('.soc-error')
    expect(alert).to_be_hidden()
    before = _text(page, 'soc-pixel')
    page.locator('.soc-upload input[type=file]').set_input_files(
        files=[{'name': 'random.nc', 'mimeType': 'application/octet-stream', 'buffer': os.urandom(4096)}])
    expect(alert).to_be_visible(timeout=WAIT)
    expect(alert.locator('p').first).to_contain_text('random.nc', timeout=WAIT)
    assert 'Traceback' not in page.content()
    assert _text(page, 'soc-pixel') == before      # the demo stack is still loaded
    page.screenshot(path=shots/'dashboard_bad_upload.png', full_page=True)
    _leave(page)


def test_two_sessions_keep_their_own_state(browser, dash_url, shots):
    ctx_a, ctx_b = (browser.new_context(viewport={'width': 1400, 'height': 1000}) for _ in range(2))
    try:
        a, b = ctx_a.new_page(), ctx_b.new_page()
        for p in (a, b): p.goto(dash_url, wait_until='commit')   # both sessions load side by side
        _soc_ready(a); _soc_ready(b)
        start_b = _text(b, 'soc-pixel')
        a.locator('.soc-frame .noUi-handle').first.focus()
        for _ in range(3): a.keyboard.press('ArrowRight')
        expect(a.locator('.soc-pixel p')).not_to_contain_text(start_b, timeout=WAIT)
        a.locator('.soc-upload input[type=file]').set_input_files(
            files=[{'name': 'junk.h5', 'mimeType': 'application/octet-stream', 'buffer': b'not a stack'}])
        expect(a.locator('.soc-error')).to_be_visible(timeout=WAIT)
        _tab(a, 'IR dataset')
        expect(a.locator('.ir-summary p').first).to_contain_text('System ', timeout=WAIT)
        b.wait_for_timeout(500)
        assert _text(b, 'soc-pixel') == start_b     # b's frame is its own
        expect(b.locator('.soc-error')).to_be_hidden()
        expect(b.locator('.soc-fit button')).to_be_visible()   # b still on its SOC section
        b.screenshot(path=shots/'dashboard_session_b.png', full_page=True)
        _leave(a, b)
    finally:
        ctx_a.close(); ctx_b.close()
