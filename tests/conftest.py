"""Shared pytest plumbing for spectro_nb.

The project has no pytest ini file (the design card fixes the top level and nbdev writes
pyproject.toml), so what a config file would say lives here. `python -m pytest` run from the
repository root loads this file as an initial conftest (pytest looks into `test*` folders of the
directory it starts from) and collects `tests/`; `.venv` and the other dot-folders are skipped by
pytest's default `norecursedirs`, and `nbs/` and `spectro_nb/` hold no `test_*.py`.
"""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_addoption(parser):
    g = parser.getgroup('spectro_nb')
    g.addoption('--nb-flags', default='', metavar='FLAGS',
                help='space separated notebook flags (from tst_flags in settings.ini, e.g. "slow gpu") '
                     'whose cells are run too; the nbdev_test --flags of the pytest wrapper')
    g.addoption('--nb-timeout', type=float, default=900.0, metavar='SECONDS',
                help='wall-clock limit for one notebook (default 900)')


@pytest.fixture(scope='session')
def repo_root() -> Path:
    "The repository root (the folder holding settings.ini)."
    return REPO


@pytest.fixture(scope='session')
def shared_data(repo_root) -> Path:
    "`<repo>/../shared/data`: the reference spectra beside the checkout; skips the test where absent."
    p = repo_root.parent/'shared'/'data'
    if not p.is_dir(): pytest.skip(f'shared reference data not found at {p} (only beside a checkout that has ../shared)')
    return p
