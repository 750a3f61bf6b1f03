"""The stage-2 dashboard (`spectro_nb/apps/mrf.py`) in a real browser, with the set-up of the stage-1 test:
`browser_support.py` serves the app (`panel serve`, a free loopback port), points pytest-playwright at Debian's
Chromium, skips this module with the reason where that browser or playwright is missing, and keeps the
screenshots ($SPECTRO_NB_SCREENSHOTS, else a pytest temporary folder).

The page `app()` serves is the worked example; its inference starts in the background when the page has
loaded, so every test first waits for the result's summary. The view writes what the
tests check into the page: the result in words (`.mrf-summary`), the profile's instant (`.mrf-time`),
the status line (`.mrf-status`), the progress bar (`progress.mrf-progress`), the error alert
(`.mrf-error`); every map's pane carries `.mrf-map-<variable>` and `.mrf-value` or `.mrf-std`.
Playwright's CSS locators pierce the open shadow roots Panel renders into. Every wait is on the page's
content, none on the clock, and no test depends on the model's numbers.
"""
import re

# skips this module where Chromium, playwright or Panel is missing; the fixtures are used by name
from browser_support import (REPO, browser_context_args, browser_type_launch_args, check_progress,  # noqa: F401
                             expect, open_page, record_progress, served_app, shots, text as _text)

APP = REPO/'spectro_nb'/'apps'/'mrf.py'
START_TIMEOUT = 90   # s: the server's first session imports Panel, HoloViews and the package, and runs the example (a cold cell cache: a few s more)
WAIT = 60_000        # ms: the longest a page element is waited for (an inference on a busy machine included)
CORE = ('i_e', 'phi_e', 'sigma_eff', 'c_e')   # the maps the page shows by default


mrf_url = served_app(APP, START_TIMEOUT, get_timeout=60, name='mrf_url')   # the fixture of the served page's URL


def _ready(page):
    "Wait until the result's summary, the profile and its readout are in the page."
    expect(page.locator('.mrf-summary p').first).to_contain_text('Result:', timeout=WAIT)
    expect(page.locator('.mrf-time p').first).to_contain_text('frame ', timeout=WAIT)
    expect(page.locator('.mrf-profile canvas').first).to_be_visible(timeout=WAIT)
    return page


def _open(page, url): return open_page(page, url, _ready)


def _frame(page) -> int: return int(re.search(r'frame (\d+) of', _text(page, 'mrf-time'))[1])


def _map(page, var, kind): return page.locator(f'.mrf-map-{var}.mrf-{kind} canvas').first


def _profile_title_has(page, s):
    "Wait until the page's Bokeh document holds a plot title containing `s` (the profile as drawn, not the readout)."
    page.wait_for_function("s => (window.Bokeh?.documents ?? []).some(d => [...d.all_models].some("
                           "m => typeof m.text === 'string' && m.text.includes(s)))", arg=s, timeout=WAIT)


def test_page_loads_with_every_map(page, mrf_url, shots):
    _open(page, mrf_url)
    expect(page.locator('.mrf-status p').first).to_contain_text('done: infer_state', timeout=WAIT)
    for var in CORE:
        for kind in ('value', 'std'):
            expect(_map(page, var, kind)).to_be_visible(timeout=WAIT)
    expect(page.locator('.mrf-mask-map canvas').first).to_be_visible(timeout=WAIT)
    expect(page.locator('.mrf-error')).to_be_hidden()
    expect(page.locator('.mrf-download button')).to_be_enabled(timeout=WAIT)
    summary = _text(page, 'mrf-summary')
    assert 'identifiable at' in summary and 'sigma_eff' in summary, summary
    assert 'Traceback' not in page.content()
    page.screenshot(path=shots/'mrf_loaded.png', full_page=True)
    # value only: the sd maps leave the page, the value maps stay
    page.locator('.mrf-show button', has_text=re.compile(r'^value$')).click()
    expect(page.locator('.mrf-std canvas')).to_have_count(0, timeout=WAIT)
    for var in CORE: expect(_map(page, var, 'value')).to_be_visible(timeout=WAIT)


def test_time_slider_moves_profile(page, mrf_url, shots):
    _open(page, mrf_url)
    f0 = _frame(page)
    _profile_title_has(page, f'(frame {f0})')
    page.locator('.mrf-frame .noUi-handle').first.focus()
    for _ in range(3): page.keyboard.press('ArrowRight')
    expect(page.locator('.mrf-time p').first).to_contain_text(f'frame {f0 + 3} of', timeout=WAIT)
    _profile_title_has(page, f'(frame {f0 + 3})')     # the profile plot was redrawn for the new instant
    expect(page.locator('.mrf-profile canvas').first).to_be_visible(timeout=WAIT)
    assert 'Traceback' not in page.content()
    page.screenshot(path=shots/'mrf_profile_moved.png', full_page=True)


def test_manual_rerun_shows_progress_then_done(page, mrf_url, shots):
    _open(page, mrf_url)
    status = page.locator('.mrf-status p').first
    expect(status).to_contain_text('done', timeout=WAIT)
    expect(page.locator('.mrf-tau-x [disabled]')).to_have_count(1, timeout=WAIT)   # automatic: the sliders are off
    page.locator('.mrf-prior button', has_text='manual').click()
    expect(page.locator('.mrf-tau-x [disabled]')).to_have_count(0, timeout=WAIT)
    page.locator('.mrf-tau-x .noUi-handle').first.focus()
    for _ in range(10): page.keyboard.press('ArrowLeft')        # step 0.01: 0.50 → 0.40
    expect(page.locator('.mrf-tau-x .bk-slider-title').first).to_contain_text('0.40', timeout=WAIT)
    bar = page.locator('progress.mrf-progress')
    record_progress(bar, '_mrf_progress')   # every value the bar takes (the inference takes a second or two)
    page.locator('.mrf-run button').click()
    expect(status).to_contain_text(re.compile(r'done: .*manual: tau_x = 0\.4, tau_t = 0\.5'), timeout=WAIT)
    expect(bar).to_have_attribute('value', '100', timeout=WAIT)
    check_progress(page, '_mrf_progress')
    expect(page.locator('.mrf-summary p').first).to_contain_text('tau_x = 0.4', timeout=WAIT)
    expect(page.locator('.mrf-run button')).to_be_enabled(timeout=WAIT)
    expect(page.locator('.mrf-error')).to_be_hidden()
    for var in CORE: expect(_map(page, var, 'value')).to_be_visible(timeout=WAIT)
    page.screenshot(path=shots/'mrf_manual_rerun.png', full_page=True)
