"""The combined dashboard (`spectro_nb/apps/dashboard.py`) in a real browser: Debian's Chromium driven by
pytest-playwright (set up by `browser_support.py`, which skips this module with the reason where that browser
or playwright is missing, and gives the screenshots' folder: $SPECTRO_NB_SCREENSHOTS, under CI `screenshots/`,
else a temporary folder) against `spectro-nb serve` (the installed command, which calls
`spectro_nb.apps.dashboard.serve`) on a free loopback port.

The page holds the four sections as tabs (`.dash-tabs`); each section's view writes into the page what its own
browser tests check (`.soc-pixel`, `.mrf-summary`, `.ir-summary`, `.irf-summary`, ...). Playwright's CSS
locators pierce the open shadow roots Panel renders into. Every wait is on the page's content.

What the served app must do, a test each: load with every section drawn; a click on the SOC image selects the
pixel and redraws its spectrum; a fit and a forecast run with their progress bars moving, and their results
download as NetCDF, CSV and PNG (the files read back); the SOC section's maps of the simulated cell go on to
the MRF section (and on the toy stack the MRF sidebar says why they cannot); a bad upload shows a message; two
sessions keep their own state.
"""
import io, os, re, sys
from pathlib import Path

import pytest

# skips this module where Chromium, playwright or Panel is missing; the fixtures are used by name
from browser_support import (_free_port, browser_context_args, browser_type_launch_args, check_progress,  # noqa: F401
                             click_soc_image, download, expect, plot_title, record_progress, served, shots, soc_pixel,
                             text as _text)

START_TIMEOUT = 90   # s: the server's first session imports Panel, HoloViews and the package
WAIT = 60_000        # ms: the longest a page element is waited for (the MRF example's simulation and inference included)


@pytest.fixture(scope='module')
def dash_url(tmp_path_factory):
    "`spectro-nb serve --port P` (the installed command) on a free loopback port; its URL once a session renders; always stopped, its log checked."
    port = _free_port()
    script = Path(sys.executable).with_name('spectro-nb')      # the console script pip installed beside this Python
    cmd = [str(script)] if script.exists() else [sys.executable, '-c', 'import sys; from spectro_nb.cli import main; sys.exit(main())']
    with served(cmd + ['serve', '--port', str(port)], f'http://127.0.0.1:{port}/', tmp_path_factory, START_TIMEOUT, 30,
                'spectro-nb serve') as url:
        yield url


def _soc_ready(page):
    expect(page.locator('.soc-pixel p')).to_contain_text('pixel (x=', timeout=WAIT)
    expect(page.locator('.soc-image canvas').first).to_be_visible(timeout=WAIT)
    return page


def _leave(*pages):
    "Leave by navigation (a clean websocket close; closing a context may cut it mid-message, which tornado logs as a traceback)."
    for p in pages: p.goto('about:blank')


def _tab(page, title): page.locator('.dash-tabs .bk-tab', has_text=title).first.click()


PNG = b'\x89PNG\r\n\x1a\n'
HDF5 = b'\x89HDF\r\n\x1a\n'   # NetCDF4's first bytes


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
    name, csv = download(page, 'ir-download-csv', WAIT)                      # the shown sequence as a table
    import pandas as pd
    tab = pd.read_csv(io.BytesIO(csv))
    assert re.fullmatch(r'ir_sequence_\w+\.csv', name) and {'time', 'dA [absorbance]'} <= set(tab.columns), (name, tab.columns)
    _tab(page, 'IR forecast')
    expect(page.locator('.irf-summary p').first).to_contain_text('No forecast yet', timeout=WAIT)
    for cls in ('irf-static-plot', 'irf-protocol'): expect(page.locator(f'.{cls} canvas').first).to_be_visible(timeout=WAIT)
    page.screenshot(path=shots/'dashboard_ir_forecast.png', full_page=True)
    _tab(page, 'SOC')                                                         # back: the same SOC view, still drawn
    _soc_ready(page)
    assert 'Traceback' not in page.content()
    _leave(page)


def test_pixel_click_updates_the_spectrum(page, dash_url, shots):
    page.goto(dash_url)
    _soc_ready(page)
    x0, y0 = soc_pixel(page)
    frame = re.search(r'frame (\d+) ', _text(page, 'soc-pixel'))[1]
    plot_title(page, rf'^pixel \(x={x0}, y={y0}\), frame {frame}$', WAIT)     # the spectrum plot, as drawn
    click_soc_image(page, 0.25, 0.5)
    expect(page.locator('.soc-pixel p')).not_to_contain_text(f'pixel (x={x0}, y={y0})', timeout=WAIT)
    x, y = soc_pixel(page)
    assert x < x0, ((x0, y0), (x, y))        # left of the centre: a pixel nearer the separator
    plot_title(page, rf'^pixel \(x={x}, y={y}\), frame {frame}$', WAIT)         # the spectrum redrawn for the clicked pixel
    assert 'LCF soc =' in _text(page, 'soc-pixel')
    page.wait_for_timeout(300)
    page.screenshot(path=shots/'dashboard_pixel.png', full_page=True)
    _leave(page)


def test_fit_runs_with_progress_and_downloads(page, dash_url, shots, tmp_path):
    import numpy as np, pandas as pd, xarray as xr
    page.goto(dash_url)
    _soc_ready(page)
    for cls in ('soc-download', 'soc-download-csv', 'soc-download-png'):    # nothing to download before the fit
        expect(page.locator(f'.{cls} button')).to_be_disabled(timeout=WAIT)
    bar = page.locator('progress.soc-progress')
    expect(bar).to_have_attribute('value', '0', timeout=WAIT)
    record_progress(bar, '_dash_progress')
    page.locator('.soc-fit button').click()
    expect(page.locator('.soc-status p')).to_contain_text('done: LCF on 20 frames', timeout=WAIT)
    expect(bar).to_have_attribute('value', '100', timeout=WAIT)
    check_progress(page, '_dash_progress')
    expect(page.locator('.soc-pixel p')).to_contain_text('map (LCF) soc =', timeout=WAIT)
    page.wait_for_timeout(500)
    page.screenshot(path=shots/'dashboard_fitted.png', full_page=True)
    page.set_viewport_size({'width': 1280, 'height': 900})                  # the README's picture (nbs/images/dashboard.png)
    page.wait_for_timeout(800)
    page.screenshot(path=shots/'dashboard.png')
    page.set_viewport_size({'width': 1400, 'height': 1000})
    # the three downloads: what the browser saves is the fit shown
    name, nc = download(page, 'soc-download', WAIT)
    assert name == 'soc_result.nc' and nc[:8] == HDF5, (name, nc[:8])
    (tmp_path/name).write_bytes(nc)
    with xr.open_dataset(tmp_path/name, engine='h5netcdf') as ds: soc = ds.soc.load()
    assert soc.dims == ('time', 'y', 'x') and soc.sizes['time'] == 20
    name, csv = download(page, 'soc-download-csv', WAIT)
    tab = pd.read_csv(io.BytesIO(csv))
    assert name == 'soc_result.csv' and list(tab.columns[:5]) == ['time [s]', 'y [m]', 'x [m]', 'soc', 'soc_std'], (name, tab.columns)
    assert len(tab) == soc.size and np.allclose(tab.soc, soc.values.ravel(), equal_nan=True)
    name, png = download(page, 'soc-download-png', WAIT)
    assert name == 'soc_result.png' and png[:8] == PNG and len(png) > 10_000, (name, png[:8], len(png))
    (shots/'dashboard_soc_result.png').write_bytes(png)
    # the IR forecast section: a forecast run with its progress bar, then its table
    _tab(page, 'IR forecast')
    expect(page.locator('.irf-summary p').first).to_contain_text('No forecast yet', timeout=WAIT)
    bar = page.locator('progress.irf-progress')
    record_progress(bar, '_dash_irf_progress')
    page.locator('.irf-forecast button').click()
    expect(page.locator('.irf-status p').first).to_contain_text('done: 8 samples', timeout=WAIT)
    expect(bar).to_have_attribute('value', '100', timeout=WAIT)
    check_progress(page, '_dash_irf_progress')
    expect(page.locator('.irf-summary p').first).to_contain_text('Forecast of ', timeout=WAIT)
    name, csv = download(page, 'irf-download-csv', WAIT)
    tab = pd.read_csv(io.BytesIO(csv))
    assert name == 'ir_forecast.csv' and {'wavenumber [cm^-1]', 'difference', 'reversible', 'irreversible', 'voltage [V]'} <= set(tab.columns)
    assert np.allclose(tab.reversible + tab.irreversible, tab.difference, atol=1e-7)
    name, png = download(page, 'irf-download-png', WAIT)
    assert name == 'ir_forecast.png' and png[:8] == PNG
    (shots/'dashboard_ir_forecast_result.png').write_bytes(png)
    assert 'Traceback' not in page.content()
    page.wait_for_timeout(500)
    page.screenshot(path=shots/'dashboard_forecast.png', full_page=True)
    _leave(page)


def test_soc_maps_go_on_to_the_mrf(page, dash_url, shots):
    page.goto(dash_url)
    _soc_ready(page)
    _tab(page, 'MRF')                                  # the toy stack carries no current or electrode: a message
    expect(page.locator('.mrf-status p').first).to_contain_text('done', timeout=WAIT)
    alert = page.locator('.dash-link-message')
    expect(alert).to_be_hidden()
    page.locator('.dash-from-soc button').click()
    expect(alert).to_be_visible(timeout=WAIT)
    expect(alert.locator('p').first).to_contain_text('does not carry', timeout=WAIT)
    _tab(page, 'SOC')                                  # the simulated cell's stack, fitted
    page.locator('.dash-cell-stack button').click()
    expect(page.locator('.soc-source p')).to_contain_text('PyBaMM cell', timeout=WAIT)
    expect(page.locator('.soc-status p')).to_contain_text('loaded: 20 frames × 48 energies × 16 × 48 pixels', timeout=WAIT)
    page.locator('.soc-fit button').click()
    expect(page.locator('.soc-status p')).to_contain_text('done: LCF on 20 frames', timeout=WAIT)
    _tab(page, 'MRF')
    page.locator('.dash-from-soc button').click()
    expect(page.locator('.mrf-source p').first).to_contain_text('SOC section: LCF maps', timeout=WAIT)
    expect(page.locator('.mrf-status p').first).to_contain_text('done: infer_state on 48 depths × 20 frames', timeout=WAIT)
    expect(alert).to_be_hidden(timeout=WAIT)
    expect(page.locator('.mrf-summary p').first).to_contain_text('Result:', timeout=WAIT)
    assert 'Traceback' not in page.content()
    page.wait_for_timeout(800)
    page.screenshot(path=shots/'dashboard_mrf_from_soc.png', full_page=True)
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
