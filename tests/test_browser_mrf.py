"""The stage-2 dashboard (`spectro_nb/apps/mrf.py`) in a real browser: Debian's Chromium driven by
pytest-playwright against `panel serve` on a free loopback port.

Playwright's own browser download does not work offline, so the `browser_type_launch_args` fixture
points Playwright at /usr/bin/chromium (Debian's `chromium` package; `.ci/setup` installs it) with
the flags that keep Chromium off the closed network. The module is skipped, with the reason, where
that browser or playwright is missing. Screenshots go to $SPECTRO_NB_SCREENSHOTS (CI keeps that folder)
or else to a pytest temporary folder.

The page `app()` serves is the worked example; its inference starts in the background when the page has
loaded, so every test first waits for the result's summary. The view writes what the
tests check into the page: the result in words (`.mrf-summary`), the profile's instant (`.mrf-time`),
the status line (`.mrf-status`), the progress bar (`progress.mrf-progress`), the error alert
(`.mrf-error`); every map's pane carries `.mrf-map-<variable>` and `.mrf-value` or `.mrf-std`.
Playwright's CSS locators pierce the open shadow roots Panel renders into. Every wait is on the page's
content, none on the clock, and no test depends on the model's numbers.
"""
import os, re, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path('/usr/bin/chromium')
if not CHROMIUM.exists():
    pytest.skip(f'{CHROMIUM} not found (Debian package chromium; .ci/setup installs it)', allow_module_level=True)
pytest.importorskip('playwright', reason='playwright is not installed (dev extra)')
pytest.importorskip('pytest_playwright', reason='pytest-playwright is not installed (dev extra)')
pytest.importorskip('panel', reason='panel is not installed')
from playwright.sync_api import expect  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
APP = REPO/'spectro_nb'/'apps'/'mrf.py'
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-quic']
START_TIMEOUT = 90   # s: the server's first session imports Panel, HoloViews and the package, and runs the example (a cold cell cache: a few s more)
WAIT = 60_000        # ms: the longest a page element is waited for (an inference on a busy machine included)
CORE = ('i_e', 'phi_e', 'sigma_eff', 'c_e')   # the maps the page shows by default


@pytest.fixture(scope='session')
def browser_type_launch_args(browser_type_launch_args):
    "Debian's Chromium instead of Playwright's download, with the flags this closed network needs."
    return {**browser_type_launch_args, 'executable_path': str(CHROMIUM), 'args': FLAGS}


@pytest.fixture(scope='session')
def browser_context_args(browser_context_args):
    return {**browser_context_args, 'viewport': {'width': 1400, 'height': 1000}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def mrf_url(tmp_path_factory):
    "`panel serve spectro_nb/apps/mrf.py` on a free loopback port; its URL once a session renders; always stopped."
    port = _free_port()
    cmd = [sys.executable, '-m', 'panel', 'serve', str(APP), '--port', str(port), '--address', '127.0.0.1',
           '--allow-websocket-origin', f'127.0.0.1:{port}', '--num-procs', '1']
    log = open(tmp_path_factory.mktemp('panel_serve')/'serve.log', 'w+')
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    url = f'http://127.0.0.1:{port}/mrf'
    try:
        end = time.monotonic() + START_TIMEOUT
        while True:   # the first GET runs the app once: it warms the imports and the cell cache too
            if proc.poll() is not None:
                log.seek(0); pytest.fail(f'panel serve exited with {proc.returncode}:\n{log.read()[-3000:]}')
            try:
                with urllib.request.urlopen(url, timeout=60) as r:
                    if r.status == 200: break
            except OSError: pass
            if time.monotonic() > end:
                log.seek(0); pytest.fail(f'panel serve did not answer {url} within {START_TIMEOUT} s:\n{log.read()[-3000:]}')
            time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try: proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)
        log.seek(0)
        tail = log.read()[-4000:]
        log.close()
        assert 'Traceback' not in tail, f'the server logged a traceback:\n{tail}'


@pytest.fixture(scope='module')
def shots(tmp_path_factory) -> Path:
    "Where screenshots go: $SPECTRO_NB_SCREENSHOTS, else a pytest temporary folder."
    p = Path(os.environ['SPECTRO_NB_SCREENSHOTS']) if os.environ.get('SPECTRO_NB_SCREENSHOTS') \
        else tmp_path_factory.mktemp('screenshots')
    p.mkdir(parents=True, exist_ok=True)
    return p


def _ready(page):
    "Wait until the result's summary, the profile and its readout are in the page."
    expect(page.locator('.mrf-summary p').first).to_contain_text('Result:', timeout=WAIT)
    expect(page.locator('.mrf-time p').first).to_contain_text('frame ', timeout=WAIT)
    expect(page.locator('.mrf-profile canvas').first).to_be_visible(timeout=WAIT)
    return page


def _open(page, url):
    "Load the app (a new session) and wait until it is drawn."
    page.goto(url)
    return _ready(page)


def _text(page, cls) -> str: return page.locator(f'.{cls} p').first.inner_text()


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
    # record every value the progress bar takes (the inference takes a second or two)
    bar.evaluate("""b => { window._mrf_progress = []; new MutationObserver(() => window._mrf_progress.push(
                           Number(b.getAttribute('value')))).observe(b, {attributes: true, attributeFilter: ['value']}); }""")
    page.locator('.mrf-run button').click()
    expect(status).to_contain_text(re.compile(r'done: .*manual: tau_x = 0\.4, tau_t = 0\.5'), timeout=WAIT)
    expect(bar).to_have_attribute('value', '100', timeout=WAIT)
    seen = page.evaluate('window._mrf_progress')
    assert seen and seen[-1] == 100 and seen == sorted(seen), seen
    assert any(0 < v < 100 for v in seen), f'no intermediate progress shown: {seen}'
    expect(page.locator('.mrf-summary p').first).to_contain_text('tau_x = 0.4', timeout=WAIT)
    expect(page.locator('.mrf-run button')).to_be_enabled(timeout=WAIT)
    expect(page.locator('.mrf-error')).to_be_hidden()
    for var in CORE: expect(_map(page, var, 'value')).to_be_visible(timeout=WAIT)
    page.screenshot(path=shots/'mrf_manual_rerun.png', full_page=True)
