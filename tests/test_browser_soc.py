"""The stage-1 dashboard (`spectro_nb/apps/soc.py`) in a real browser: Debian's Chromium driven by
pytest-playwright against `panel serve` on a free loopback port, set up by `browser_support.py` (which
skips this module, with the reason, where /usr/bin/chromium or playwright is missing, and keeps the
screenshots in $SPECTRO_NB_SCREENSHOTS, CI's folder, else in a pytest temporary folder).

The view writes what the tests check into the page: the selected pixel and its soc (`.soc-pixel`),
the status line (`.soc-status`), the progress bar (`progress.soc-progress`), the error alert
(`.soc-error`). Playwright's CSS locators pierce the open shadow roots Panel renders into.
"""
import importlib.util, os, re

# skips this module where Chromium, playwright or Panel is missing; the fixtures are used by name
from browser_support import (REPO, browser_context_args, browser_type_launch_args, check_progress,  # noqa: F401
                             click_soc_image, expect, open_page, record_progress, served_app, shots,
                             soc_pixel, text as _text)

APP = REPO/'spectro_nb'/'apps'/'soc.py'
START_TIMEOUT = 90   # s: the server's first session imports Panel, HoloViews and the package
WAIT = 20_000        # ms: the longest a page element is waited for


soc_url = served_app(APP, START_TIMEOUT, get_timeout=30, name='soc_url')   # the fixture of the served page's URL


def _ready(page):
    "Wait until the image and the pixel readout are in the page."
    expect(page.locator('.soc-pixel p')).to_contain_text('pixel (x=', timeout=WAIT)
    expect(page.locator('.soc-image canvas').first).to_be_visible(timeout=WAIT)
    return page


def _open(page, url): return open_page(page, url, _ready)


def _frame(page) -> int: return int(re.search(r'frame (\d+)', _text(page, 'soc-pixel'))[1])


def test_page_loads(page, soc_url, shots):
    _open(page, soc_url)
    assert page.locator('.soc-image canvas').count() >= 1
    assert 'LCF soc =' in _text(page, 'soc-pixel')
    expect(page.locator('.soc-status p')).to_contain_text('loaded: 20 frames', timeout=WAIT)
    methods = page.locator('.soc-method button').all_inner_texts()
    assert methods == ['LCF', 'PRNN'] if importlib.util.find_spec('spectro_nb.soc') else methods == ['LCF'], methods
    assert 'Traceback' not in page.content()
    page.screenshot(path=shots/'soc_loaded.png', full_page=True)


def test_click_pixel_and_move_frame(page, soc_url, shots):
    _open(page, soc_url)
    first = soc_pixel(page)
    click_soc_image(page, 0.25, 0.5)
    expect(page.locator('.soc-pixel p')).not_to_contain_text(f'pixel (x={first[0]}, y={first[1]})', timeout=WAIT)
    x, y = soc_pixel(page)
    assert x < first[0], (first, (x, y))          # a click left of the centre selects a pixel nearer the separator
    f0 = _frame(page)
    page.locator('.soc-frame .noUi-handle').first.focus()
    page.keyboard.press('ArrowRight')
    page.keyboard.press('ArrowRight')
    expect(page.locator('.soc-pixel p')).to_contain_text(f'frame {f0 + 2} ', timeout=WAIT)
    assert soc_pixel(page) == (x, y)                  # the frame moved, the pixel stayed
    page.screenshot(path=shots/'soc_pixel_frame.png', full_page=True)


def test_fit_shows_progress_then_maps(page, soc_url, shots):
    _open(page, soc_url)
    bar = page.locator('progress.soc-progress')
    expect(bar).to_have_attribute('value', '0', timeout=WAIT)
    record_progress(bar, '_soc_progress')   # every value the bar takes (the fit of the demo takes well under a second)
    page.locator('.soc-fit button').click()
    expect(page.locator('.soc-status p')).to_contain_text('done: LCF on 20 frames', timeout=WAIT)
    expect(bar).to_have_attribute('value', '100', timeout=WAIT)
    check_progress(page, '_soc_progress')
    expect(page.locator('.soc-pixel p')).to_contain_text('map (LCF) soc =', timeout=WAIT)
    expect(page.locator('.soc-download button')).to_be_enabled(timeout=WAIT)
    assert page.locator('.soc-map canvas').count() >= 1
    assert 'RMSE vs truth' in _text(page, 'soc-status')
    page.wait_for_timeout(500)   # let the maps paint before the picture
    page.screenshot(path=shots/'soc_fitted.png', full_page=True)


def test_bad_upload_shows_message_good_one_loads(page, soc_url, shots, tmp_path):
    _open(page, soc_url)
    expect(page.locator('.soc-error')).to_be_hidden()
    before = _text(page, 'soc-pixel')
    page.locator('.soc-upload input[type=file]').set_input_files(
        files=[{'name': 'random.nc', 'mimeType': 'application/octet-stream', 'buffer': os.urandom(4096)}])
    alert = page.locator('.soc-error')
    expect(alert).to_be_visible(timeout=WAIT)
    expect(alert.locator('p').first).to_contain_text('random.nc', timeout=WAIT)
    assert 'Traceback' not in page.content()
    assert _text(page, 'soc-pixel') == before      # the demo stack is still loaded
    page.screenshot(path=shots/'soc_bad_upload.png', full_page=True)
    # a good file then replaces the stack and clears the message
    from spectro_nb.apps.soc import demo_stack
    from spectro_nb.io import write_stack
    good = tmp_path/'small.nc'
    write_stack(demo_stack(n_t=6, n_e=24, n_y=8, n_x=16)[0], good)
    page.locator('.soc-upload input[type=file]').set_input_files(str(good))
    expect(page.locator('.soc-source p')).to_contain_text('small.nc', timeout=WAIT)
    expect(page.locator('.soc-status p')).to_contain_text('loaded: 6 frames × 24 energies × 8 × 16 pixels', timeout=WAIT)
    expect(alert).to_be_hidden(timeout=WAIT)
    assert _frame(page) == 3


def test_two_sessions_keep_their_own_state(browser, soc_url, shots):
    ctx_a, ctx_b = (browser.new_context(viewport={'width': 1400, 'height': 1000}) for _ in range(2))
    try:
        a, b = ctx_a.new_page(), ctx_b.new_page()
        for p in (a, b): p.goto(soc_url, wait_until='commit')   # both sessions load side by side
        _ready(a); _ready(b)
        start_b = _text(b, 'soc-pixel')
        click_soc_image(a, 0.2, 0.3)
        a.locator('.soc-fit button').click()
        expect(a.locator('.soc-status p')).to_contain_text('done', timeout=WAIT)
        a.locator('.soc-upload input[type=file]').set_input_files(
            files=[{'name': 'junk.h5', 'mimeType': 'application/octet-stream', 'buffer': b'not a stack'}])
        expect(a.locator('.soc-error')).to_be_visible(timeout=WAIT)
        b.wait_for_timeout(500)
        assert _text(b, 'soc-pixel') == start_b    # b's pixel, frame and (absent) fit are its own
        assert 'map (' not in _text(b, 'soc-pixel') and 'done' not in _text(b, 'soc-status')
        expect(b.locator('.soc-error')).to_be_hidden()
        expect(b.locator('progress.soc-progress')).to_have_attribute('value', '0')
        b.screenshot(path=shots/'soc_session_b.png', full_page=True)
    finally:
        ctx_a.close(); ctx_b.close()
