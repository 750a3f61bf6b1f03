"""Checks on the repository itself: notebooks and package in sync, README generated and current,
the README's test command is CI's, light modules stay light, pytest collects only tests/."""
import difflib, importlib.util, json, os, shutil, subprocess, sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
INDEX = REPO/'nbs'/'index.ipynb'
HEAVY = ('torch', 'panel', 'pybamm', 'holoviews')   # what a reader or the core must never load
LIGHT = ('spectro_nb', 'spectro_nb.core', 'spectro_nb.io', 'spectro_nb.irfiles', 'spectro_nb.xanes', 'spectro_nb.lcf',
         'spectro_nb.sim', 'spectro_nb.sim.cell', 'spectro_nb.sim.imaging', 'spectro_nb.soc', 'spectro_nb.mrf',
         'spectro_nb.cli', 'spectro_nb.ir', 'spectro_nb.ir.sim', 'spectro_nb.ir.files', 'spectro_nb.ir.metrics', 'spectro_nb.ir.bench',
         'spectro_nb.ir.meanflow', 'spectro_nb.ir.abcc')


def _bin(name):
    "An executable of the running environment (the venv's nbdev_*), else from PATH."
    p = Path(sys.executable).parent/name
    return str(p) if p.exists() else shutil.which(name) or pytest.fail(f'{name} not found beside {sys.executable} or on PATH')


def _load_readme_tool():
    spec = importlib.util.spec_from_file_location('ci_readme', REPO/'.ci'/'readme.py')
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob('*')
            if p.is_file() and '__pycache__' not in p.parts}


def _diff(a, b, name, n=40):
    try: a, b = a.decode(), b.decode()
    except UnicodeDecodeError: return ''
    lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), name + ' (as is)', name + ' (after)', lineterm=''))
    return '\n'.join(lines[:n] + ([f'... ({len(lines) - n} more diff lines)'] if len(lines) > n else []))


# --- (a) notebooks and package agree ------------------------------------------------------------

def test_nbdev_sync(tmp_path):
    "nbdev_clean + nbdev_export on a copy of the tree change nothing: the package is the notebooks' export."
    try:
        out = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=REPO,
                             capture_output=True, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError) as e: pytest.skip(f'not a git checkout ({e})')
    copy = tmp_path/'repo'
    for rel in sorted(set(filter(None, out.split('\0')))):
        src = REPO/rel
        if not src.is_file(): continue    # deleted in the work tree, not yet committed
        (copy/rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, copy/rel)
    before = _snapshot(copy)
    # clean first: it gives cells without an id their id, which export then writes into the modules
    for cmd in ('nbdev_clean', 'nbdev_export'):
        r = subprocess.run([_bin(cmd)], cwd=copy, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, f'{cmd} failed in a copy of the tree:\n{r.stdout}\n{r.stderr}'
    after = _snapshot(copy)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        detail = '\n\n'.join(filter(None, (_diff(before.get(k, b''), after.get(k, b''), k) for k in changed)))
        pytest.fail('notebooks and package are out of sync; nbdev_clean + nbdev_export would change:\n  '
                    + '\n  '.join(changed)
                    + '\nRun `nbdev_clean && nbdev_export` (from .venv/bin) and commit the notebooks and spectro_nb/ '
                      'together.\n\n' + detail, pytrace=False)


# --- (b, c) the README ------------------------------------------------------------------------------

def _need_index():
    if not INDEX.exists(): pytest.skip('nbs/index.ipynb does not exist yet: README.md is generated from it')


def test_readme_is_generated():
    "README.md is what `python .ci/readme.py` writes from nbs/index.ipynb."
    _need_index()
    new = _load_readme_tool().render(INDEX, REPO)
    old = (REPO/'README.md').read_text(encoding='utf-8') if (REPO/'README.md').exists() else ''
    if old != new:
        diff = ''.join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), 'README.md', 'from nbs/index.ipynb'))
        pytest.fail(f'README.md is out of date: run `python .ci/readme.py` and commit it.\n{diff}', pytrace=False)


def _ci_test_command():
    lines = [l.strip() for l in (REPO/'.ci'/'run').read_text().splitlines()]
    cmds = [l for l in lines if 'pytest' in l and not l.startswith('#')]
    assert len(cmds) == 1, f'.ci/run should hold exactly one pytest command line, found {cmds}'
    return cmds[0]


def test_readme_shows_ci_command():
    "The README tells people to run exactly what CI runs."
    _need_index()
    cmd = _ci_test_command()
    assert cmd in (REPO/'README.md').read_text(encoding='utf-8'), \
        f'README.md (from nbs/index.ipynb) must show the test command of .ci/run: {cmd}'


# --- (d) light modules stay light ---------------------------------------------------------------------

@pytest.mark.parametrize('mod', LIGHT)
def test_import_is_light(mod, tmp_path):
    "Importing the package, the core or the readers loads none of torch, Panel, PyBaMM, HoloViews."
    path = REPO/Path(*mod.split('.'))
    if not (path.with_suffix('.py').exists() or (path/'__init__.py').exists()): pytest.skip(f'{mod} not written yet')
    code = f'import json, sys, {mod}; print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))'
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(filter(None, [str(REPO), os.environ.get('PYTHONPATH')]))}
    r = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    loaded = json.loads(r.stdout.strip().splitlines()[-1])
    assert not loaded, f'`import {mod}` loads {loaded}: import them inside the functions that need them'


# --- pytest itself --------------------------------------------------------------------------------

def test_collects_only_tests_folder(tmp_path):
    "`python -m pytest` from the root (no ini file) collects tests/ and nothing in nbs/, .venv or the package."
    r = subprocess.run([sys.executable, '-m', 'pytest', '--collect-only', '-q', '-p', 'no:cacheprovider',
                        '--continue-on-collection-errors'], cwd=REPO, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    # a test module of tests/ that fails to import is that module's own failure, reported by the main run
    paths = [l.split('::')[0] for l in r.stdout.splitlines() if '::' in l]
    paths += [l.split('ERROR collecting ', 1)[1].split()[0] for l in r.stdout.splitlines() if 'ERROR collecting ' in l]
    assert 'tests/test_repo.py' in paths, r.stdout + r.stderr
    assert all(p.startswith('tests/') for p in paths), sorted({p for p in paths if not p.startswith('tests/')})


# --- the README generator -------------------------------------------------------------------------

def _cell(src, kind='code', outputs=()):
    c = {'cell_type': kind, 'metadata': {}, 'source': src}
    if kind == 'code': c.update(execution_count=None, outputs=list(outputs))
    return c


def _stdout(text): return {'output_type': 'stream', 'name': 'stdout', 'text': text}


@pytest.fixture
def demo_repo(tmp_path):
    "A repository with an nbs/index.ipynb exercising each README rule."
    cells = [
        _cell('#| hide\nfrom secret_setup import *', outputs=[_stdout('hidden output\n')]),
        _cell('# demo_pkg\n\n> One line about it\n\n- skip_exec: true\n\nIntro paragraph.', 'markdown'),
        _cell('#| export\ndef exported(): pass'),
        _cell('![fig](images/fig.png) [tutorial](tutorials/t.ipynb) [web](https://example.org/x.png)\n\n'
              '```\n![kept](images/kept.png)\n```', 'markdown'),
        _cell('#| notest\n#| eval: false\nprint(1 + 1)', outputs=[
            _stdout('2\n'), {'output_type': 'stream', 'name': 'stderr', 'text': 'a warning\n'},
            {'output_type': 'execute_result', 'execution_count': 3, 'metadata': {}, 'data': {'text/plain': ['(3, ', '4)']}}]),
        _cell('plt.plot([1])', outputs=[{'output_type': 'display_data', 'metadata': {},
                                         'data': {'image/png': 'iVBOR', 'text/plain': '<Figure size 640x480>'}}]),
        _cell('#| echo: false\nprint(big)', outputs=[_stdout(''.join(f'{i}\n' for i in range(100)))]),
        _cell('#| output: false\nquiet()', outputs=[_stdout('not shown\n')]),
        _cell('---\ntitle: ignored\n---', 'raw'),
    ]
    nb = {'cells': cells, 'metadata': {'kernelspec': {'name': 'python3', 'language': 'python', 'display_name': 'python3'}},
          'nbformat': 4, 'nbformat_minor': 5}
    (tmp_path/'nbs').mkdir()
    (tmp_path/'nbs'/'index.ipynb').write_text(json.dumps(nb, indent=1))
    return tmp_path


def test_readme_generator(demo_repo):
    md = _load_readme_tool().render(demo_repo/'nbs'/'index.ipynb', demo_repo)
    blocks = md.split('\n\n')
    assert blocks[0] == '<!-- generated from nbs/index.ipynb by python .ci/readme.py; do not edit -->'
    assert blocks[1:4] == ['# demo_pkg', '> One line about it', 'Intro paragraph.']
    assert 'skip_exec' not in md and 'ignored' not in md                       # front matter dropped
    assert 'secret_setup' not in md and 'hidden output' not in md              # `#| hide` cell left out
    assert 'exported' not in md                                                # export cell left out
    assert '![fig](nbs/images/fig.png)' in md and '[tutorial](nbs/tutorials/t.ipynb)' in md
    assert '[web](https://example.org/x.png)' in md and '![kept](images/kept.png)' in md   # absolute / code kept
    assert '```python\nprint(1 + 1)\n```' in md and '#|' not in md            # directives stripped
    assert '```\n2\n```' in md and '```\n(3, 4)\n```' in md                    # stdout and result shown
    assert 'a warning' not in md and '<Figure' not in md and 'iVBOR' not in md  # stderr and images left out
    assert 'print(big)' not in md and '```\n0\n1\n' in md and '... (70 more lines)' in md   # echo: false, cut
    assert '```python\nquiet()\n```' in md and 'not shown' not in md          # output: false
    assert md.endswith('```\n') and not md.endswith('\n\n')


def test_readme_cli(demo_repo):
    tool, out = [sys.executable, str(REPO/'.ci'/'readme.py')], demo_repo/'README.md'
    args = ['--nb', str(demo_repo/'nbs'/'index.ipynb'), '--out', str(out), '--root', str(demo_repo)]
    r = subprocess.run(tool + args + ['--check'], capture_output=True, text=True)
    assert r.returncode == 1 and '+# demo_pkg' in r.stdout                    # missing README: out of date
    assert subprocess.run(tool + args, capture_output=True).returncode == 0
    assert out.read_text().startswith('<!-- generated from nbs/index.ipynb')
    assert [p.name for p in demo_repo.iterdir() if p.name.endswith('.tmp')] == []   # no temp file left
    assert subprocess.run(tool + args + ['--check'], capture_output=True).returncode == 0
    out.write_text(out.read_text() + 'hand edit\n')
    r = subprocess.run(tool + args + ['--check'], capture_output=True, text=True)
    assert r.returncode == 1 and '-hand edit' in r.stdout
