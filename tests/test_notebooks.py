"""Every notebook in nbs/ as one pytest test, run by nbdev's own test runner.

Each notebook runs through `nbdev.test.test_nb` (what `nbdev_test` calls for every notebook) in a
fresh Python process, so notebooks neither share state nor keep their memory past their test, and a
failing cell fails the test with nbdev's cell traceback as the message. Cells flagged with one of
settings.ini's `tst_flags` (`notest slow gpu`) are skipped, as by `nbdev_test`;
`pytest --nb-flags "slow gpu"` runs them too (`nbdev_test --flags "slow gpu"`).
"""
import configparser, os, signal, subprocess, sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NBS = REPO/'nbs'

# Run in the child: nbdev's runner, with nbdev_test's arguments. test_nb changes into the
# notebook's folder itself and prints the failing cell's traceback to stderr.
_RUNNER = '''
import sys
from pathlib import Path
from nbdev.test import test_nb
fn, root, skip, force = sys.argv[1:5]
ok, _ = test_nb(Path(fn), skip_flags=skip.split(), force_flags=force.split(), basepath=root)
sys.exit(0 if ok else 1)
'''


def _notebooks():
    "Notebooks under nbs/, skipping names that start with `_` or `.` and folders holding `.notest`."
    out = []
    for p in sorted(NBS.rglob('*.ipynb')):
        rel = p.relative_to(NBS)
        if any(part.startswith(('_', '.')) for part in rel.parts): continue
        if (p.parent/'.notest').exists(): continue
        out.append(rel)
    return out


def _tst_flags():
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(REPO/'settings.ini', encoding='utf-8')
    return cfg['DEFAULT'].get('tst_flags', '')


def _tail(s, n=20000): return s if len(s) <= n else f'[... {len(s) - n} characters cut ...]\n' + s[-n:]


@pytest.mark.parametrize('nb', _notebooks(), ids=lambda p: p.as_posix())
def test_notebook(nb, request):
    fn = NBS/nb
    force = request.config.getoption('--nb-flags')
    cmd = [sys.executable, '-c', _RUNNER, str(fn), str(REPO), _tst_flags(), force]
    proc = subprocess.Popen(cmd, cwd=fn.parent, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    timeout = request.config.getoption('--nb-timeout')
    try: out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f'nbs/{nb.as_posix()} ran past {timeout:.0f} s (--nb-timeout)\n{_tail(err)}', pytrace=False)
    if proc.returncode:
        msg = f'nbs/{nb.as_posix()} failed (nbdev test runner, exit {proc.returncode}):\n{_tail(err)}'
        if out.strip(): msg += f'\n--- stdout ---\n{_tail(out, 5000)}'
        pytest.fail(msg, pytrace=False)
