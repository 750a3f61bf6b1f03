"""The stage-3 page (`spectro_nb/apps/ir.py`: the dataset browser and, in a second tab, the forecast view) in a
real browser, with the set-up of the other views' tests: `browser_support.py` serves the app (`panel serve`, a free loopback port), points
pytest-playwright at Debian's Chromium, skips this module with the reason where that browser or
playwright is missing, and keeps the screenshots ($SPECTRO_NB_SCREENSHOTS, else a pytest temporary folder).

The page `app()` serves shows the example dataset (`make_dataset` with a few dozen sequences, made once
per server process). The view writes what the tests check into the page: the selection in one sentence
(`.ir-summary`), the dataset in one line (`.ir-status`), the error alert (`.ir-error`); the plots carry
`.ir-heatmap`, `.ir-diff`, `.ir-bands`, `.ir-voltage`, the controls `.ir-split`, `.ir-system`,
`.ir-sequence`, `.ir-frame`, `.ir-heatmap-of`, `.ir-parts`, `.ir-upload`. Playwright's CSS locators pierce
the open shadow roots Panel renders into. Every wait is on the page's content, none on the clock, and no
test depends on the generator's numbers: what a test selects it first reads from the page.
"""
import os, re
from dataclasses import dataclass

import pytest

# skips this module where Chromium, playwright or Panel is missing; the fixtures are used by name
from browser_support import (REPO, browser_context_args, browser_type_launch_args, check_progress,  # noqa: F401
                             expect, open_page, plot_title, record_progress, served_app, shots, text as _text)

APP = REPO/'spectro_nb'/'apps'/'ir.py'
START_TIMEOUT = 90   # s: the server's first session imports Panel, HoloViews and the package, and generates the example
WAIT = 20_000        # ms: the longest a page element is waited for
PLOTS = ('ir-heatmap', 'ir-diff', 'ir-bands', 'ir-voltage')
SUMMARY = re.compile(r'System (?P<system>.+?), sequence (?P<sequence>\S+) \(split (?P<split>\S+)\), frame (?P<frame>\d+) of (?P<last>\d+)')


ir_url = served_app(APP, START_TIMEOUT, get_timeout=60, name='ir_url')   # the fixture of the served page's URL


@dataclass
class Selection:
    system: str
    sequence: str
    split: str
    frame: int
    last: int


def _ready(page):
    "Wait until the selection's sentence and every plot are in the page."
    expect(page.locator('.ir-summary p').first).to_contain_text('System ', timeout=WAIT)
    for cls in PLOTS: expect(page.locator(f'.{cls} canvas').first).to_be_visible(timeout=WAIT)
    return page


def _open(page, url): return open_page(page, url, _ready)


def _leave(*pages):
    """Leave the pages as a visitor does (a navigation: Chromium closes the session's websocket with a close handshake).
    Closing the browser context instead may cut the socket while the server still answers the page's last messages
    (the plot sizes Bokeh reports after every redraw), and tornado logs that as a traceback."""
    for p in pages: p.goto('about:blank')


@pytest.fixture
def ir_page(page, ir_url):
    "A new session of the page, drawn; left by navigation at the end of the test."
    _open(page, ir_url)
    yield page
    _leave(page)


def _selection(page) -> Selection:
    s = _text(page, 'ir-summary')
    m = SUMMARY.search(s)
    assert m, s
    return Selection(m['system'], m['sequence'], m['split'], int(m['frame']), int(m['last']))


def _summary(page): return page.locator('.ir-summary p').first


def _options(page, cls) -> list[str]:
    return [o.strip() for o in page.locator(f'.{cls} select option').all_inner_texts()]


# the plot titles of the views the page shows now: a walk from Bokeh's root views (a document's models may include plots
# that were replaced and are no longer drawn, so the document is not asked)
def _title(page, pattern:str):
    "Wait until the page draws a plot whose title matches the regular expression `pattern` (the plot as drawn, not the sentence)."
    plot_title(page, pattern, WAIT)


def _drawn(page, sequence, frame:int, heatmap:str=r'A\(t\)|ΔA\(t\) = A\(t\) − A\(0\)', parts:bool=False):
    "Wait until all four plots are drawn for `sequence` (the difference spectra for `frame`)."
    q = re.escape(str(sequence))
    _title(page, rf'^({heatmap}), sequence {q}$')
    _title(page, rf'^voltage protocol, sequence {q}$')
    _title(page, rf'^{"ground truth" if parts else "ΔA"}, sequence {q}, frame {frame} \(')
    _title(page, rf'^band areas of {"the parts" if parts else "ΔA"}, sequence {q}$')


def _move_frame(page, steps:int): _move_frame_of(page, 'ir-frame', steps)


def _move_frame_of(page, cls:str, steps:int):
    page.locator(f'.{cls} .noUi-handle').first.focus()
    for _ in range(abs(steps)): page.keyboard.press('ArrowRight' if steps > 0 else 'ArrowLeft')


def _upload(page, name:str, data:bytes):
    page.locator('.ir-upload input[type=file]').set_input_files(
        files=[{'name': name, 'mimeType': 'application/octet-stream', 'buffer': data}])


def test_page_loads_with_summary_and_every_plot(ir_page, shots):
    from spectro_nb.apps.ir import BANDS
    page = ir_page
    sel = _selection(page)
    assert sel.system in _options(page, 'ir-system') and sel.sequence in _options(page, 'ir-sequence'), sel
    assert sel.split in ('train', 'val', 'test_id', 'test_ood') and 0 <= sel.frame <= sel.last, sel
    expect(page.locator('.ir-status p').first).to_contain_text(re.compile(r'\d+ sequences × \d+ frames × \d+ wavenumbers'))
    expect(page.locator('.ir-error')).to_be_hidden()
    _drawn(page, sel.sequence, sel.frame)          # every plot drawn for the sentence's sequence and frame
    table = ' '.join(page.locator('.ir-band-table td').all_inner_texts())
    assert all(name in table for name in BANDS), table
    assert 'Traceback' not in page.content()
    page.screenshot(path=shots/'ir_loaded.png', full_page=True)


def test_system_sequence_frame_and_split_update_the_page(ir_page, shots):
    page = ir_page
    s0 = _selection(page)
    # another system: its first sequence, the frame kept
    other = next(o for o in _options(page, 'ir-system') if o != s0.system)
    page.locator('.ir-system select').select_option(label=other)
    expect(_summary(page)).to_contain_text(f'System {other}, sequence ', timeout=WAIT)
    s1 = _selection(page)
    assert s1.sequence != s0.sequence and s1.frame == s0.frame, (s0, s1)
    _drawn(page, s1.sequence, s1.frame)
    # another sequence of that system, where it has more than one
    seqs = _options(page, 'ir-sequence')
    assert s1.sequence in seqs, (s1, seqs)
    if len(seqs) > 1:
        pick = next(q for q in seqs if q != s1.sequence)
        page.locator('.ir-sequence select').select_option(label=pick)
        expect(_summary(page)).to_contain_text(f'System {other}, sequence {pick} (split ', timeout=WAIT)
        _drawn(page, pick, s1.frame)
    # the frame slider
    _move_frame(page, -2)
    expect(_summary(page)).to_contain_text(f'frame {s0.frame - 2} of {s0.last}', timeout=WAIT)
    s2 = _selection(page)
    _drawn(page, s2.sequence, s0.frame - 2)
    page.screenshot(path=shots/'ir_selected.png', full_page=True)
    # the split filter: the sentence names the split, and the system list narrows to that split's systems
    all_systems = set(_options(page, 'ir-system'))
    split = [o for o in _options(page, 'ir-split') if o != 'all'][-1]
    page.locator('.ir-split select').select_option(label=split)
    expect(_summary(page)).to_contain_text(f'(split {split}), frame {s0.frame - 2} ', timeout=WAIT)
    expect(_summary(page)).to_contain_text(f'in split {split}.', timeout=WAIT)
    s3 = _selection(page)
    assert s3.system in _options(page, 'ir-system') and set(_options(page, 'ir-system')) <= all_systems
    _drawn(page, s3.sequence, s3.frame)
    assert 'Traceback' not in page.content()


def test_heatmap_and_ground_truth_toggles(ir_page, shots):
    page = ir_page
    sel = _selection(page)
    page.locator('.ir-heatmap-of button', has_text=re.compile(r'^A\(t\)$')).click()
    _title(page, rf'^A\(t\), sequence {re.escape(sel.sequence)}$')
    box = page.locator('.ir-parts input[type=checkbox]')
    expect(box).to_be_enabled(timeout=WAIT)        # the example is generated: it carries the ground truth
    box.check()
    _drawn(page, sel.sequence, sel.frame, heatmap=r'A\(t\)', parts=True)
    expect(page.locator('.ir-diff canvas').first).to_be_visible(timeout=WAIT)
    page.screenshot(path=shots/'ir_ground_truth.png', full_page=True)
    box.uncheck()
    _drawn(page, sel.sequence, sel.frame, heatmap=r'A\(t\)')


def test_bad_upload_shows_message_good_one_loads(ir_page, shots, tmp_path):
    page = ir_page
    before = _text(page, 'ir-summary')
    alert = page.locator('.ir-error')
    expect(alert).to_be_hidden()
    _upload(page, 'random.nc', os.urandom(4096))
    expect(alert).to_be_visible(timeout=WAIT)
    expect(alert.locator('p').first).to_contain_text('random.nc', timeout=WAIT)
    assert 'Traceback' not in page.content()
    assert _text(page, 'ir-summary') == before         # the example is still shown
    page.screenshot(path=shots/'ir_bad_upload.png', full_page=True)
    _upload(page, 'notes.txt', b'wavenumber,absorbance\n')
    expect(alert.locator('p').first).to_contain_text('notes.txt', timeout=WAIT)
    # a file the generator wrote replaces the dataset and clears the message
    from spectro_nb.ir.sim import make_dataset
    good = tmp_path/'small.nc'
    small = make_dataset(n_sequences=6, seed=3, path=good)
    page.locator('.ir-upload input[type=file]').set_input_files(str(good))
    status = page.locator('.ir-status p').first
    expect(status).to_contain_text(f"small.nc · {small.sizes['sequence']} sequences", timeout=WAIT)
    expect(alert).to_be_hidden(timeout=WAIT)
    sel = _selection(page)
    assert sel.system in {str(s) for s in small.system.values}, sel
    _drawn(page, sel.sequence, sel.frame)


def test_two_sessions_keep_their_own_state(browser, ir_url, shots):
    ctx_a, ctx_b = (browser.new_context(viewport={'width': 1400, 'height': 1000}) for _ in range(2))
    try:
        a, b = ctx_a.new_page(), ctx_b.new_page()
        for p in (a, b): p.goto(ir_url, wait_until='commit')   # both sessions load side by side
        _ready(a); _ready(b)
        start_b = _selection(b)
        # session a: another system, another frame, a bad file
        other = next(o for o in _options(a, 'ir-system') if o != start_b.system)
        a.locator('.ir-system select').select_option(label=other)
        expect(_summary(a)).to_contain_text(f'System {other},', timeout=WAIT)
        _move_frame(a, 3)
        expect(_summary(a)).to_contain_text(f'frame {start_b.frame + 3} of', timeout=WAIT)
        _upload(a, 'junk.nc', b'not a dataset')
        expect(a.locator('.ir-error')).to_be_visible(timeout=WAIT)
        _drawn(a, _selection(a).sequence, start_b.frame + 3)
        # session b: its own frame step lands on its own selection, untouched by a's
        _move_frame(b, -1)
        expect(_summary(b)).to_contain_text(f'frame {start_b.frame - 1} of', timeout=WAIT)
        now_b = _selection(b)
        assert (now_b.system, now_b.sequence, now_b.split) == (start_b.system, start_b.sequence, start_b.split), (start_b, now_b)
        expect(b.locator('.ir-error')).to_be_hidden()
        _drawn(b, start_b.sequence, start_b.frame - 1)
        b.screenshot(path=shots/'ir_session_b.png', full_page=True)
        _leave(a, b)
    finally:
        ctx_a.close(); ctx_b.close()


# --- the forecast tab (IRForecastView) ----------------------------------------------------------------
# The served page's forecast view takes its model from $SPECTRO_NB_ABCC (`apps.ir.MODEL_ENV`): the fixture below trains a
# small ABCC once (a few seconds) and names it there before the server starts, so these tests do not depend on the shipped
# checkpoint and each forecast takes well under a second. Its classes: `.irf-summary` (the forecast in one sentence),
# `.irf-status`, `progress.irf-progress`, `.irf-error`, the controls `.irf-static`, `.irf-upload`, `.irf-preset`,
# `.irf-breakpoints`, `.irf-forecast` (the button), `.irf-frame`, and the plots `.irf-static-plot`, `.irf-protocol`,
# `.irf-forecast-plot`, `.irf-streams`, `.irf-heatmap`, `.irf-trajectories`.
FORECAST_PLOTS = ('irf-forecast-plot', 'irf-streams', 'irf-heatmap', 'irf-trajectories')
RESULT = re.compile(r'Largest \|ΔA\| at the end: (?P<total>\S+) \(central\), irreversible (?P<irr>\S+)\.')


@pytest.fixture(scope='module', autouse=True)
def tiny_model(tmp_path_factory):
    "A small voltage-only ABCC, named in $SPECTRO_NB_ABCC for the served page (autouse: set before the server starts)."
    import torch
    from spectro_nb.apps.ir import MODEL_ENV
    from spectro_nb.ir.abcc import ABCC
    from spectro_nb.ir.sim import make_dataset
    torch.set_num_threads(1)
    path = tmp_path_factory.mktemp('abcc')/'tiny.pt'
    ABCC(hidden=16, K=4, M=3, epochs=2, batch=16, flow_iters=20, refine_iters=10, use_current=False).fit(
        make_dataset(n_sequences=40, seed=3)).save(path)
    old = os.environ.get(MODEL_ENV)
    os.environ[MODEL_ENV] = str(path)
    yield path
    if old is None: os.environ.pop(MODEL_ENV, None)
    else: os.environ[MODEL_ENV] = old


def _forecast_ready(page):
    "Wait until the forecast tab's sentence, controls and input plots are in the page."
    expect(page.locator('.irf-summary p').first).to_contain_text('No forecast yet', timeout=WAIT)
    for cls in ('irf-static-plot', 'irf-protocol'): expect(page.locator(f'.{cls} canvas').first).to_be_visible(timeout=WAIT)
    _title(page, r'^voltage protocol: ')
    return page


def _run_forecast(page, preset:str):
    "Press Forecast and wait for its sentence and every plot of the result."
    page.locator('.irf-forecast button').click()
    _forecast_drawn(page, preset)


@pytest.fixture
def forecast_page(page, ir_url):
    "A new session of the page opened on its forecast tab (`?tab=forecast`), drawn; left by navigation at the end of the test."
    open_page(page, ir_url + '?tab=forecast', _forecast_ready)
    yield page
    _leave(page)


def _forecast_drawn(page, preset:str):
    expect(page.locator('.irf-summary p').first).to_contain_text(f'under {preset} (', timeout=WAIT)
    expect(page.locator('.irf-status p').first).to_contain_text('done: 8 samples', timeout=WAIT)
    for cls in FORECAST_PLOTS: expect(page.locator(f'.{cls} canvas').first).to_be_visible(timeout=WAIT)
    q = re.escape(preset)
    _title(page, rf'^voltage protocol: {q}$')
    _title(page, r'^forecast ΔA, frame \d+ \(t = ')
    _title(page, r'^streams, frame \d+ \(t = ')
    _title(page, rf'^ΔA\(t\): {q}$')
    _title(page, r'^band areas of the forecast ΔA$')


def _result(page) -> tuple:
    m = RESULT.search(_text(page, 'irf-summary'))
    assert m, _text(page, 'irf-summary')
    return m['total'], m['irr']


def test_forecast_tab_loads_and_a_forecast_runs(ir_page, shots):
    from spectro_nb.apps.ir import PRESETS
    first, page = list(PRESETS)[0], ir_page        # the dataset tab first; its controls in the sidebar
    page.locator('.ir-tabs .bk-tab', has_text='Forecast').click()
    _forecast_ready(page)
    expect(page.locator('.ir-system select')).to_have_count(0)     # the sidebar holds the forecast's controls now
    assert _options(page, 'irf-static'), 'no static spectra to pick from'
    expect(page.locator('.irf-preset select')).to_have_value(first)
    expect(page.locator('.irf-error')).to_be_hidden()
    bar = page.locator('progress.irf-progress')
    record_progress(bar, '_irf_progress')
    _run_forecast(page, first)
    expect(bar).to_have_attribute('value', '100', timeout=WAIT)
    check_progress(page, '_irf_progress')
    expect(page.locator('.irf-download button')).to_be_enabled(timeout=WAIT)
    _move_frame_of(page, 'irf-frame', -3)          # the frame slider: the spectra at another frame
    expect(page.locator('.irf-summary p').first).to_contain_text('frame 36 of 39', timeout=WAIT)
    _title(page, r'^forecast ΔA, frame 36 \(t = ')
    _title(page, r'^streams, frame 36 \(t = ')
    assert 'Traceback' not in page.content()
    page.screenshot(path=shots/'ir_forecast.png', full_page=True)


def test_switching_preset_changes_the_forecast(forecast_page, shots):
    from spectro_nb.apps.ir import PRESETS
    first, other, page = list(PRESETS)[0], list(PRESETS)[1], forecast_page
    _run_forecast(page, first)
    before = _result(page)
    page.locator('.irf-preset select').select_option(label=other)   # once forecast, a change forecasts again
    _forecast_drawn(page, other)
    expect(page.locator('.irf-breakpoints textarea')).to_have_value(re.compile(r'^0, 3\n1\.66, 0\.01\n3\.66, 0\.01$'))
    after = _result(page)
    assert after != before, (before, after)
    assert 'Traceback' not in page.content()
    page.screenshot(path=shots/'ir_forecast_preset.png', full_page=True)


def test_bad_breakpoints_and_bad_upload_show_messages(forecast_page, shots):
    page = forecast_page
    alert = page.locator('.irf-error')
    box = page.locator('.irf-breakpoints textarea')
    box.fill('0, 3.0\n1.5 h, 0.01')
    box.press('Tab')                               # the text box sends its value when it loses focus
    expect(alert).to_be_visible(timeout=WAIT)
    expect(alert.locator('p').first).to_contain_text("breakpoint 2 ('1.5 h, 0.01'): expected two numbers", timeout=WAIT)
    expect(page.locator('.irf-preset select')).to_have_value('custom breakpoints')
    page.locator('.irf-forecast button').click()   # nothing to forecast under: a message, no forecast
    expect(page.locator('.irf-status p').first).to_contain_text('fix the input', timeout=WAIT)
    assert 'Traceback' not in page.content()
    page.screenshot(path=shots/'ir_forecast_bad_breakpoints.png', full_page=True)
    box.fill('0, 3.0\n1.5, 0.01\n2, 0.01')
    box.press('Tab')
    expect(alert).to_be_hidden(timeout=WAIT)
    _title(page, r'^voltage protocol: custom protocol$')
    page.locator('.irf-upload input[type=file]').set_input_files(
        files=[{'name': 'random.spa', 'mimeType': 'application/octet-stream', 'buffer': os.urandom(3000)}])
    expect(alert).to_be_visible(timeout=WAIT)
    expect(alert.locator('p').first).to_contain_text('random.spa', timeout=WAIT)
    assert 'Traceback' not in page.content()
