"""What the browser tests of the dashboards (`test_browser_soc.py`, `test_browser_mrf.py`) share: Debian's
Chromium driven by pytest-playwright against `panel serve` on a free loopback port.

Importing this module skips the importing test module, with the reason, where /usr/bin/chromium (Debian's
`chromium` package; `.ci/setup` installs it), playwright, pytest-playwright or Panel is missing; the other
tests never import it, so they run without any of them. Playwright's own browser download does not work
offline, so the `browser_type_launch_args` fixture points Playwright at that Chromium with the flags that
keep it off the closed network. A test module takes the fixtures by importing them by name (pytest finds
fixtures among a module's names):

    from browser_support import browser_context_args, browser_type_launch_args, shots  # noqa: F401

and makes the fixture of its app's URL with `served_app` (`panel serve` for the module's tests, see `serve`).
`open_page` loads a page and waits until it is drawn, `text` reads a readout, `record_progress` and
`check_progress` watch a progress bar through a run, `plot_title` waits for a plot drawn with a given title, and
`download` fetches what a download button serves. Screenshots go to
$SPECTRO_NB_SCREENSHOTS (the GitHub workflow keeps that folder), else under CI to the clone's `screenshots/`, else
to a pytest temporary folder.
"""
import contextlib, os, re, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path('/usr/bin/chromium')
if not CHROMIUM.exists():
    pytest.skip(f'{CHROMIUM} not found (Debian package chromium; .ci/setup installs it)', allow_module_level=True)
pytest.importorskip('playwright', reason='playwright is not installed (dev extra)')
pytest.importorskip('pytest_playwright', reason='pytest-playwright is not installed (dev extra)')
pytest.importorskip('panel', reason='panel is not installed')
from playwright.sync_api import expect  # noqa: E402,F401  re-exported for the test modules

REPO = Path(__file__).resolve().parents[1]
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-quic']


@pytest.fixture(scope='session')
def browser_type_launch_args(browser_type_launch_args):
    "Debian's Chromium instead of Playwright's download, with the flags this closed network needs."
    return {**browser_type_launch_args, 'executable_path': str(CHROMIUM), 'args': FLAGS}


@pytest.fixture(scope='session')
def browser_context_args(browser_context_args):
    return {**browser_context_args, 'viewport': {'width': 1400, 'height': 1000}}


@pytest.fixture(scope='module')
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: $SPECTRO_NB_SCREENSHOTS; else, under CI (CI set), the clone's `screenshots/` folder (ignored by
    git), which outlives the run as its artefact; else a pytest temporary folder."""
    env = os.environ.get('SPECTRO_NB_SCREENSHOTS')
    ci = os.environ.get('CI', '').lower() not in ('', '0', 'false', 'no')
    p = Path(env) if env else REPO/'screenshots' if ci else tmp_path_factory.mktemp('screenshots')
    p.mkdir(parents=True, exist_ok=True)
    return p


def soc_pixel(page, timeout:float=20_000, # ms
             ) -> tuple[int, int]:
    """The SOC view's selected pixel (x, y), read from its readout `.soc-pixel`; read again until it names one (a readout
    being redrawn can be read mid-way: a fresh clone's run once read it without its pixel right after the page was drawn)."""
    end = time.monotonic() + timeout/1000
    while True:
        words = text(page, 'soc-pixel')
        m = re.search(r'pixel \(x=(\d+), y=(\d+)\)', words)
        if m: return int(m[1]), int(m[2])
        if time.monotonic() > end: raise AssertionError(f'the pixel readout names no pixel: {words!r}')
        page.wait_for_timeout(100)


def click_soc_image(page, fx:float, fy:float):
    "Click the SOC view's image canvas at fractions (fx, fy) of its box (the plot frame is the canvas' left part)."
    box = page.locator('.soc-image canvas').first.bounding_box()
    page.mouse.click(box['x'] + fx*box['width'], box['y'] + fy*box['height'])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(cmd:list, # the server's command line (run in the repository, in its own process group)
           url:str, # the page to wait for
           tmp_path_factory, # pytest's, for the server's log
           start_timeout:float, # s: the longest the server may take to render its first session
           get_timeout:float, # s: the longest one GET of the page may take
           what:str='panel serve', # the server, as failure messages name it
          ):
    "Start `cmd`; yield `url` once a GET of it succeeds; always stop the server, and fail if its log holds a traceback."
    log = open(tmp_path_factory.mktemp('served')/'serve.log', 'w+')
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        end = time.monotonic() + start_timeout
        while True:   # the first GET runs the app once: it warms the imports (and whatever the app caches) too
            if proc.poll() is not None:
                log.seek(0); pytest.fail(f'{what} exited with {proc.returncode}:\n{log.read()[-3000:]}')
            try:
                with urllib.request.urlopen(url, timeout=get_timeout) as r:
                    if r.status == 200: break
            except OSError: pass
            if time.monotonic() > end:
                log.seek(0); pytest.fail(f'{what} did not answer {url} within {start_timeout} s:\n{log.read()[-3000:]}')
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


@contextlib.contextmanager
def serve(app:Path, # the app's file, e.g. spectro_nb/apps/soc.py
          tmp_path_factory, # pytest's, for the server's log
          start_timeout:float, # s: the longest the server may take to render its first session
          get_timeout:float, # s: the longest one GET of the page may take
         ):
    "`panel serve <app>` on a free loopback port; its URL once a session renders; always stopped, and its log checked for tracebacks."
    port = _free_port()
    cmd = [sys.executable, '-m', 'panel', 'serve', str(app), '--port', str(port), '--address', '127.0.0.1',
           '--allow-websocket-origin', f'127.0.0.1:{port}', '--num-procs', '1']
    with served(cmd, f'http://127.0.0.1:{port}/{Path(app).stem}', tmp_path_factory, start_timeout, get_timeout) as url:
        yield url


def served_app(app:Path, # the app's file, e.g. spectro_nb/apps/soc.py
               start_timeout:float, # s: the longest the server may take to render its first session
               get_timeout:float, # s: the longest one GET of the page may take
               name:str, # the fixture's name
              ):
    "A module-scoped fixture: the URL of `panel serve <app>` on a free loopback port once a session renders; always stopped."
    @pytest.fixture(scope='module', name=name)
    def url(tmp_path_factory):
        with serve(app, tmp_path_factory, start_timeout, get_timeout) as u: yield u
    url.__doc__ = f"`panel serve {Path(app).relative_to(REPO)}` on a free loopback port; its URL once a session renders; always stopped."
    return url


def open_page(page, url:str, ready):
    "Load the app (a new session) and wait until it is drawn: `ready(page)` waits for what the app shows first."
    page.goto(url)
    return ready(page)


def text(page, cls:str) -> str:
    "The text of the first paragraph in the element of CSS class `cls` (the views write their readouts as Markdown)."
    return page.locator(f'.{cls} p').first.inner_text()


def record_progress(bar, # the progress bar's locator
                    name:str, # where the page keeps the values: window[name]
                   ):
    "Record every value the progress bar takes from now on (a run may be over in well under a second: no polling)."
    bar.evaluate("""(b, name) => { window[name] = []; new MutationObserver(() => window[name].push(
                                   Number(b.getAttribute('value')))).observe(b, {attributes: true, attributeFilter: ['value']}); }""", name)


def check_progress(page, name:str) -> list:
    "The values `record_progress` recorded under `name`, checked: never going back, ending at 100, one at least in between."
    seen = page.evaluate(f'window[{name!r}]')
    assert seen and seen[-1] == 100 and seen == sorted(seen), seen
    assert any(0 < v < 100 for v in seen), f'no intermediate progress shown: {seen}'
    return seen


_LIVE_TITLE = """p => { const re = new RegExp(p), seen = new Set(); let hit = false;
    const walk = v => { if (!v || seen.has(v)) return; seen.add(v);
        const t = v.model?.title?.text;
        if (typeof t === 'string' && re.test(t) && (v.has_finished?.() ?? true)) hit = true;
        for (const c of (v.child_views ?? [])) walk(c); };
    for (const v of (window.Bokeh?.index ?? [])) walk(v);
    return hit; }"""


def plot_title(page, pattern:str, # a regular expression (JavaScript's)
               timeout:float, # ms
              ):
    "Wait until the page draws a Bokeh plot whose title matches `pattern` (the plot as drawn, not a sentence about it)."
    page.wait_for_function(_LIVE_TITLE, arg=pattern, timeout=timeout)


def download(page, cls:str, # the CSS class of a Panel FileDownload widget
             timeout:float, # ms
            ) -> tuple[str, bytes]:
    "Click the download button of CSS class `cls`; the file's suggested name and its bytes, once the browser has saved it."
    with page.expect_download(timeout=timeout) as info:
        page.locator(f'.{cls} button').click()
    d = info.value
    assert d.failure() is None, d.failure()
    return d.suggested_filename, Path(d.path()).read_bytes()
