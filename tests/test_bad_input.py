"""The bad-input corpus: every broken file or array a user might hand spectro_nb.

Each case builds its input in a fresh folder, calls a public function, and checks that
(1) the error is a `SpectroError` subclass of the expected kind (no other exception escapes),
(2) its message names the file (when there is one) and says what was wrong, and
(3) the folder holds exactly what it held before: no partial output is left behind.
"""
import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from spectro_nb import SpectroError
from spectro_nb.core import (AxisError, DataError, FileError, FormatError, ShapeError, UnitsError, stack)
from spectro_nb.io import data_path, read_ir, read_stack, read_xas, write_stack

RNG = np.random.default_rng(1234)
E = np.linspace(7080, 7180, 60)


def _xas_text(energy, *cols, header='# energy(eV) mu'):
    rows = [' '.join(f'{v:.6g}' for v in r) for r in zip(energy, *cols)]
    return header + '\n' + '\n'.join(rows) + '\n'


def _edge(e):
    return 0.1 + np.arctan((e - 7120) / 3) / np.pi + 0.5


def _good_stack():
    return stack(RNG.random((2, E.size, 3)), energy=E, time=[0., 10.], x=np.arange(3) * 1e-6, name='od')


def _good_nc(d):
    p = d / 'good.nc'
    write_stack(_good_stack(), p)
    return p


def w(name, data):
    """A maker writing `data` (str or bytes) to `name` in the case folder."""
    def make(d):
        p = d / name
        (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
        return p
    return make


def truncated(src, name, frac=0.5):
    def make(d):
        b = Path(src(d) if callable(src) else src).read_bytes()
        p = d / name
        p.write_bytes(b[:int(len(b) * frac)])
        return p
    return make


def _nc_without_energy(d):
    p = d / 'noenergy.nc'
    xr.Dataset({'a': (('t', 'q'), np.ones((2, 3)))}).to_netcdf(p, engine='h5netcdf')
    return p


def _hdf5_without_stack(d):
    import h5py
    p = d / 'other.h5'
    with h5py.File(p, 'w') as f:
        f.create_group('entry/instrument')['temperature'] = [300.0]
    return p


def _tiff(d, n_frames=6, sidecar=None):
    import tifffile
    p = d / 'frames.tif'
    tifffile.imwrite(p, RNG.random((n_frames, 4, 5)).astype('float32'))
    if sidecar is not None:
        np.savetxt(d / 'frames.energy.txt', sidecar)
    return p


def _ir_csv(wn, vals):
    return 'wavenumber,absorbance\n' + '\n'.join(f'{a},{b}' for a, b in zip(wn, vals)) + '\n'


WN = np.linspace(4000, 650, 200)

# (id, maker(folder) -> path, function, expected SpectroError subclass, fragment of the message)
CASES = [
    ('xas-empty', w('empty.xdi', ''), read_xas, FormatError, 'empty'),
    ('xas-random-bytes', w('noise.xdi', RNG.bytes(2048)), read_xas, FormatError, 'binary'),
    ('xas-header-only', w('header.xdi', '# XDI/1.0\n# Column.1: energy eV\n# Column.2: mu\n'), read_xas,
     FormatError, 'no data rows'),
    ('xas-one-column', w('one.dat', '\n'.join(f'{e:.2f}' for e in E)), read_xas, FormatError, 'only 1 column'),
    ('xas-truncated-row', w('cut.xdi', _xas_text(E, _edge(E), _edge(E), header='# energy mu ref')[:-9]), read_xas,
     FormatError, 'truncated'),
    ('xas-text-in-data', w('text.dat', _xas_text(E[:5], _edge(E[:5])) + 'ERROR beam lost\n7200 1\n'), read_xas,
     FormatError, 'not numeric'),
    ('xas-non-monotonic', w('zigzag.dat', _xas_text(np.r_[E[:30], E[25:]], _edge(np.r_[E[:30], E[25:]]))),
     read_xas, AxisError, 'not monotonic'),
    ('xas-duplicated-energy', w('dup.dat', _xas_text(np.r_[E[:30], E[29:]], _edge(np.r_[E[:30], E[29:]]))),
     read_xas, AxisError, 'duplicated'),
    ('xas-nan', w('nan.dat', _xas_text(E, np.where(np.arange(E.size) == 7, np.nan, _edge(E))).replace('nan', 'NaN')),
     read_xas, DataError, 'NaN'),
    ('xas-keV-labelled-eV', w('kev.xdi', '# XDI/1.0\n# Column.1: energy eV\n# Column.2: mu\n#---\n# energy mu\n'
                              + _xas_text(E / 1000, _edge(E), header='').lstrip()), read_xas, UnitsError, 'keV'),
    ('xas-energy-nonsense', w('huge.dat', _xas_text(E * 1e4, _edge(E))), read_xas, UnitsError, 'neither'),
    ('xas-zero-itrans', w('dead.xdi', '# XDI/1.0\n# Column.1: energy eV\n# Column.2: i0\n# Column.3: itrans\n'
                          + _xas_text(E, np.full(E.size, 1e5), np.r_[np.full(10, 0.0), np.full(E.size - 10, 5e4)],
                                      header='# energy i0 itrans')), read_xas, DataError, 'not finite'),
    ('xas-directory', lambda d: d, read_xas, FileError, 'is a directory'),
    ('xas-missing', lambda d: d / 'nowhere.xdi', read_xas, FileError, 'no such file'),
    ('stack-empty', w('empty.nc', b''), read_stack, FormatError, 'empty'),
    ('stack-random-bytes', w('noise.nc', RNG.bytes(4096)), read_stack, FormatError, 'not a stack file'),
    ('stack-truncated-hdf5', truncated(_good_nc, 'cut.nc'), read_stack, FormatError, 'truncated'),
    ('stack-hdf5-header-only', w('hdr.h5', b'\x89HDF\r\n\x1a\n' + bytes(64)), read_stack, FormatError, 'cannot'),
    ('stack-no-energy-var', _nc_without_energy, read_stack, FormatError, "'energy'"),
    ('stack-hdf5-without-stack', _hdf5_without_stack, read_stack, FormatError, 'without a stack'),
    ('stack-text-file', w('notes.nc', 'this is not a stack\n'), read_stack, FormatError, 'not a stack file'),
    ('stack-tiff-no-energy', _tiff, read_stack, AxisError, 'no energy axis'),
    ('stack-tiff-frames-mismatch', lambda d: _tiff(d, 7, E[:3]), read_stack, ShapeError, 'not a multiple'),
    ('stack-directory', lambda d: d, read_stack, FileError, 'is a directory'),
    ('ir-empty', w('empty.spa', b''), read_ir, FormatError, 'empty'),
    ('ir-random-bytes', w('noise.spa', RNG.bytes(4096)), read_ir, FormatError, ''),
    ('ir-unknown-extension', w('spectrum.xyz', 'hello\nworld\n'), read_ir, FormatError, ''),
    ('ir-truncated-opus', truncated(data_path('ir', 'file.0'), 'cut.0', 0.3), read_ir, FormatError, ''),
    ('ir-truncated-spa', truncated(data_path('ir', 'ftir_polyethylene_reflectance_adjustment_not_working.spa'),
                                   'cut.spa', 0.3), read_ir, FormatError, ''),
    ('ir-truncated-jcamp', truncated(data_path('ir', 'isopropanol_ASDF.jdx'), 'cut.jdx', 0.002), read_ir,
     FormatError, ''),
    ('ir-csv-nan', w('nan.csv', _ir_csv(WN, np.where(np.arange(WN.size) == 3, np.nan, 0.1))), read_ir,
     DataError, 'NaN'),
    ('ir-csv-non-monotonic', w('zig.csv', _ir_csv(np.r_[WN[:100], WN[90:]], np.ones(WN.size + 10) * 0.1)), read_ir,
     AxisError, ''),
    ('ir-csv-duplicated', w('dup.csv', _ir_csv(np.r_[WN[:100], WN[99:]], np.ones(WN.size + 1) * 0.1)), read_ir,
     AxisError, ''),
    ('ir-csv-one-column', w('one.csv', '\n'.join(f'{v}' for v in WN)), read_ir, FormatError, ''),
    ('ir-directory', lambda d: d, read_ir, FileError, 'is a directory'),
]


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_bad_file(case, tmp_path):
    _, make, fn, kind, fragment = case
    folder = tmp_path / 'case'
    folder.mkdir()
    path = make(folder)
    before = sorted(os.listdir(folder))
    with pytest.raises(SpectroError) as info:
        fn(path)
    err = info.value
    assert isinstance(err, kind), f'{type(err).__name__} raised, expected {kind.__name__}: {err}'
    msg = str(err)
    assert Path(path).name in msg, f'message does not name the file {Path(path).name}: {msg}'
    assert fragment.lower() in msg.lower(), f'message lacks {fragment!r}: {msg}'
    assert sorted(os.listdir(folder)) == before, 'the failed call left files behind'


def test_no_other_exception_types_from_random_files(tmp_path):
    """Fuzz: random bytes under every extension the readers know never escape as a non-SpectroError."""
    exts = ['.xdi', '.nor', '.xmu', '.dat', '.txt', '.csv', '.nc', '.h5', '.nxs', '.tif', '.0', '.1', '.spa', '.spg',
            '.jdx', '.dx']
    for i, ext in enumerate(exts):
        for j, payload in enumerate([RNG.bytes(64), RNG.bytes(3000), b'\x89HDF\r\n\x1a\n' + RNG.bytes(500),
                                     b'II*\x00' + RNG.bytes(300), b'##TITLE=x\n##JCAMP-DX=4.24\n' + RNG.bytes(100)]):
            p = tmp_path / f'f{i}_{j}{ext}'
            p.write_bytes(payload)
            for fn in (read_xas, read_stack, read_ir):
                try:
                    fn(p)
                except SpectroError:
                    pass


def test_write_stack_failures_keep_existing_file(tmp_path):
    good = tmp_path / 'keep.nc'
    write_stack(_good_stack(), good)
    before = good.read_bytes()
    bad = [_good_stack().rename({'x': 'depth'}),                   # wrong dims
           _good_stack().assign_coords(energy=E[::-1]),            # descending energy
           np.ones((2, 3, 4))]                                      # not a DataArray
    for b in bad:
        with pytest.raises(SpectroError) as info:
            write_stack(b, good)
        assert 'keep.nc' in str(info.value)
    assert good.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ['keep.nc']


@pytest.mark.parametrize('target', ['folder', 'missing-parent'])
def test_write_stack_bad_destination(tmp_path, target):
    dest = tmp_path if target == 'folder' else tmp_path / 'no' / 'such' / 'dir' / 's.nc'
    with pytest.raises(FileError) as info:
        write_stack(_good_stack(), dest)
    assert str(dest.name) in str(info.value)
    assert sorted(os.listdir(tmp_path)) == []


def test_mismatched_shapes():
    with pytest.raises(ShapeError, match="'energy' has 5 values"):
        stack(np.ones((2, 6, 3)), energy=E[:5])
    with pytest.raises(ShapeError, match='needs 3 dims'):
        stack(np.ones((6, 3)), energy=E[:6])


def test_cli_reports_bad_file_without_traceback(tmp_path):
    import subprocess, sys
    bad = tmp_path / 'zigzag.xdi'
    bad.write_text('7100 1\n7101 2\n7100.5 3\n')
    exe = Path(sys.executable).parent / 'spectro-nb'   # the installed console script
    r = subprocess.run([str(exe), 'info', str(bad)], capture_output=True, text=True)
    assert r.returncode == 2
    assert 'zigzag.xdi' in r.stderr and 'not monotonic' in r.stderr
    assert 'Traceback' not in r.stderr
