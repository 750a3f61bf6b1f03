"""spectro_nb.xanes.normalize against xraylarch's pre_edge on the four raw XAS Data Library scans.

Run in an environment where `larch` imports (xraylarch plus xarray and dask), from the repository root:

    python tests/larch_compare.py --out tests/larch_compare.json   # print the table, write the JSON
    pytest tests/larch_compare.py                                  # the same check as a test (skipped without larch)

Both sides get the same mu = ln(i0/itrans) from the files' columns and run with their default ranges; the
targets are |E0 ours - E0 Larch| <= 1 eV and edge steps within 3 %. The JSON is what nbs/04_xanes.ipynb shows.
spectro_nb is imported from this checkout (the repository root is put on sys.path), not installed.
"""
import argparse, json, sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FILES = ['FeK_FeO_rt_01_xaslib.xdi', 'FeK_Fe2O3_rt_01_xaslib.xdi', 'NiK_NiOH2_rt_01_xaslib.xdi',
         'NiK_Ni2O3_rt_01_xaslib.xdi']
TOL = {'e0_ev': 1.0, 'step_rel': 0.03}
COMMAND = 'python tests/larch_compare.py --out tests/larch_compare.json'


def data_dir() -> Path:
    "The folder holding the XDI files: the package's data, else ../shared/data beside the checkout."
    for p in (ROOT/'spectro_nb'/'data'/'xanes', ROOT.parent/'shared'/'data'/'xanes'):
        if all((p/f).exists() for f in FILES): return p
    raise FileNotFoundError(f'none of {ROOT/"spectro_nb/data/xanes"} or {ROOT.parent/"shared/data/xanes"} holds {FILES}')


def load_mu(path: Path):
    "Energy (eV) and mu = ln(i0/itrans) of a raw transmission XDI file, columns named by its `# Column.N:` lines."
    cols = {}
    for line in path.read_text().splitlines():
        if line.startswith('# Column.'):
            key, val = line[2:].split(':', 1)
            cols[val.split()[0].lower()] = int(key.split('.')[1]) - 1
    a = np.loadtxt(path, comments='#')
    return a[:, cols['energy']], np.log(a[:, cols['i0']]/a[:, cols['itrans']])


def ours(energy, mu) -> dict:
    "E0, edge step and ranges from spectro_nb.xanes.normalize with its defaults."
    if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))
    from spectro_nb.core import spectrum
    from spectro_nb.xanes import normalize
    a = normalize(spectrum(mu, energy)).attrs
    return {'e0': a['e0'], 'edge_step': a['edge_step'], **{k: a[k] for k in ('pre1', 'pre2', 'norm1', 'norm2', 'nnorm')}}


def theirs(energy, mu) -> dict:
    "E0, edge step and ranges from larch.xafs.pre_edge with its defaults."
    from larch import Group
    from larch.xafs import pre_edge
    g = Group(energy=energy, mu=mu)
    pre_edge(g)
    d = g.pre_edge_details
    return {'e0': float(g.e0), 'edge_step': float(g.edge_step),
            **{k: float(getattr(d, k)) for k in ('pre1', 'pre2', 'norm1', 'norm2', 'nnorm')}}


def compare(folder=None) -> dict:
    "The comparison as a JSON-ready dict: one row per file, with both sides' E0, edge step and ranges."
    import larch
    folder = Path(folder) if folder else data_dir()
    rows = []
    for f in FILES:
        e, mu = load_mu(folder/f)
        o, l = ours(e, mu), theirs(e, mu)
        rows.append({'file': f, 'e0_ours': round(o['e0'], 4), 'e0_larch': round(l['e0'], 4),
                     'step_ours': round(o['edge_step'], 6), 'step_larch': round(l['edge_step'], 6),
                     'ranges_ours': {k: o[k] for k in ('pre1', 'pre2', 'norm1', 'norm2', 'nnorm')},
                     'ranges_larch': {k: round(l[k], 4) for k in ('pre1', 'pre2', 'norm1', 'norm2', 'nnorm')}})
    return {'command': COMMAND, 'larch_version': larch.__version__, 'numpy_version': np.__version__,
            'tolerance': TOL, 'rows': rows}


def failures(res: dict) -> list:
    "What misses the targets, as readable lines (empty when all pass)."
    bad = []
    for r in res['rows']:
        de0, ratio = r['e0_ours'] - r['e0_larch'], r['step_ours']/r['step_larch']
        if not abs(de0) <= TOL['e0_ev']: bad.append(f"{r['file']}: E0 differs by {de0:+.2f} eV")
        if not abs(ratio - 1) <= TOL['step_rel']: bad.append(f"{r['file']}: edge step ratio {ratio:.4f}")
    return bad


def table(res: dict) -> str:
    "The comparison as a plain-text table."
    lines = [f"{'file':30s} {'E0 ours':>10s} {'E0 larch':>10s} {'dE0':>6s} {'step ours':>10s} {'step larch':>10s} {'ratio':>7s}"]
    for r in res['rows']:
        lines.append(f"{r['file']:30s} {r['e0_ours']:10.2f} {r['e0_larch']:10.2f} {r['e0_ours'] - r['e0_larch']:+6.2f} "
                     f"{r['step_ours']:10.4f} {r['step_larch']:10.4f} {r['step_ours']/r['step_larch']:7.4f}")
    return '\n'.join(lines)


def test_matches_larch():
    "Our E0 within 1 eV and edge step within 3 % of Larch's pre_edge, with both sides' defaults."
    import pytest
    pytest.importorskip('larch')
    res = compare()
    assert not failures(res), '\n'.join(failures(res)) + '\n' + table(res)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', help='write the comparison as JSON to this path')
    ap.add_argument('--data', help='folder holding the XDI files (default: spectro_nb/data/xanes or ../shared/data/xanes)')
    args = ap.parse_args(argv)
    res = compare(args.data)
    print(table(res))
    bad = failures(res)
    print('\n'.join(bad) if bad else f"all {len(res['rows'])} within |dE0| <= {TOL['e0_ev']} eV and step within {100*TOL['step_rel']:g} %")
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=1) + '\n')
        print(f'wrote {args.out}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
