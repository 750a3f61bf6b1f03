"""spectro_nb.lcf.fit_lcf against xraylarch's lincombo_fit on the same spectra: speed and agreement.

Run in an environment where `larch` imports (xraylarch plus xarray, dask and scipy), from the repository root:

    python tests/larch_lcf_bench.py --n 200 --out tests/larch_lcf_bench.json   # print the summary, write the JSON
    pytest tests/larch_lcf_bench.py                                            # the agreement as a test (skipped without larch)

The spectra are `spectro_nb.lcf.lcf_bench_spectra(n, n_energy, seed)`: seeded mixtures of the LiFe(II)PO4 and
Fe(III)PO4 references of the NSLS-II HXN library (MIT licence) on 64 energies. Both sides fit the same model, the
weights of the two references without a background (soc = w_charged / (w_discharged + w_charged)):

- bounded: weights >= 0 (Larch: minvals=[0, 0], sum_to_one=False; spectro_nb: bounds=(0, 1), background=False).
  Larch's time for this run gives its spectra per second, the denominator of the ratio the notebook prints.
- free: no bounds on either side. Both are then the plain least-squares solution and must agree: |dsoc| <= 1e-3.

nbs/04b_lcf.ipynb reads the JSON: the ratio to Larch (our throughput measured live) and the agreement, checked
against soc values it recomputes. spectro_nb is imported from this checkout (the repository root goes on sys.path).
"""
import argparse, json, platform, sys, time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
COMMAND = 'python tests/larch_lcf_bench.py --n 200 --out tests/larch_lcf_bench.json'
TOL = 1e-3


def _cpu() -> str:
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or platform.machine()


def larch_soc(energy, spectra, d, c, bounded: bool) -> tuple[np.ndarray, float]:
    "soc of each spectrum from larch.math.lincombo_fit, and the seconds it took."
    from larch import Group
    from larch.math import lincombo_fit
    gd, gc = Group(energy=energy, norm=d, filename='discharged'), Group(energy=energy, norm=c, filename='charged')
    kw = dict(sum_to_one=False, minvals=[0., 0.] if bounded else None)
    out = np.empty(len(spectra))
    t = time.perf_counter()
    for i, y in enumerate(spectra):
        w = lincombo_fit(Group(energy=energy, norm=y), [gd, gc], **kw).weights
        out[i] = w['charged'] / (w['discharged'] + w['charged'])
    return out, time.perf_counter() - t


def compare(n: int = 200, n_energy: int = 64, seed: int = 0) -> dict:
    "Fit the same spectra with both, time Larch, and return the JSON-ready comparison."
    if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))
    import larch
    from spectro_nb.lcf import fit_lcf, lcf_bench_spectra
    st, d, c, truth = lcf_bench_spectra(n, n_energy, seed=seed)
    e, Y = st.energy.values, st.values
    res = {'command': COMMAND, 'larch_version': larch.__version__, 'numpy_version': np.__version__,
           'python': platform.python_version(), 'cpu': _cpu(), 'n_spectra': n, 'n_energy': n_energy, 'seed': seed,
           'tolerance': TOL}
    for name, bounds in (('bounded', (0., 1.)), ('free', None)):
        soc_l, secs = larch_soc(e, Y, d.values, c.values, bounds is not None)
        soc_o = fit_lcf(st, d, c, bounds=bounds, background=False).soc.values
        res[name] = {'larch_seconds': round(secs, 4), 'larch_spectra_per_s': round(n / secs, 2),
                     'max_abs_dsoc': float(np.abs(soc_o - soc_l).max()),
                     'soc_larch': [round(float(v), 9) for v in soc_l], 'soc_ours': [round(float(v), 9) for v in soc_o]}
    return res


def failures(res: dict) -> list:
    "What misses the agreement target (empty when all pass)."
    return [f"{k}: max |soc ours - soc larch| = {res[k]['max_abs_dsoc']:.2e} > {res['tolerance']:g}"
            for k in ('free', 'bounded') if not res[k]['max_abs_dsoc'] <= res['tolerance']]


def test_lcf_matches_larch():
    "Our closed-form LCF gives Larch's soc within 1e-3, free and bounded."
    import pytest
    pytest.importorskip('larch')
    res = compare(n=20)
    assert not failures(res), '\n'.join(failures(res))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=200, help='number of spectra (default 200)')
    ap.add_argument('--n-energy', type=int, default=64, help='energies per spectrum (default 64)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', help='write the comparison as JSON to this path')
    args = ap.parse_args(argv)
    res = compare(args.n, args.n_energy, args.seed)
    for k in ('bounded', 'free'):
        r = res[k]
        print(f"{k:8s} larch lincombo_fit: {r['larch_spectra_per_s']:8.1f} spectra/s ({args.n} spectra x {args.n_energy} "
              f"energies in {r['larch_seconds']:.2f} s); max |soc ours - soc larch| = {r['max_abs_dsoc']:.2e}")
    bad = failures(res)
    print('\n'.join(bad) if bad else f"agreement within {TOL:g} on all {args.n} spectra, free and bounded")
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=1) + '\n')
        print(f'wrote {args.out}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
