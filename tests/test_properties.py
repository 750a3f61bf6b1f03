"""Property tests (hypothesis): what must hold for any input, not just the examples in the notebooks."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from spectro_nb import SpectroError
from spectro_nb.core import AxisError, check_axis, energy_to_ev, stack
from spectro_nb.io import read_stack, read_xas, write_stack

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32)
attr_values = st.one_of(st.text(max_size=12), st.integers(-2**31, 2**31 - 1), st.booleans(), st.none(),
                        st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
                        st.lists(st.text(max_size=5), max_size=3),
                        st.dictionaries(st.text(min_size=1, max_size=5), st.integers(), max_size=3))
attr_keys = st.text(alphabet='abcdefghijklmnopqrstuvwxyz_', min_size=1, max_size=10).filter(
    lambda k: not k.startswith('_') and k != 'spectro_nb_json_attrs')


@st.composite
def stacks(draw):
    nt, ne, nx = draw(st.integers(1, 4)), draw(st.integers(2, 8)), draw(st.integers(1, 5))
    ny = draw(st.one_of(st.none(), st.integers(1, 3)))
    shape = (nt, ne, nx) if ny is None else (nt, ne, ny, nx)
    data = np.array(draw(st.lists(finite, min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))),
                    dtype=draw(st.sampled_from(['float32', 'float64']))).reshape(shape)
    e0 = draw(st.floats(2000, 90000))
    steps = np.array(draw(st.lists(st.floats(0.05, 20), min_size=ne, max_size=ne)))
    attrs = draw(st.dictionaries(attr_keys, attr_values, max_size=4))
    return stack(data, energy=e0 + np.cumsum(steps), time=np.arange(nt) * 7.5,
                 x=np.arange(nx) * 1e-6, y=None if ny is None else np.arange(ny) * 2e-6, name='od', attrs=attrs)


@FAST
@given(s=stacks())
def test_stack_round_trip(s, tmp_path):
    p = tmp_path / 's.nc'
    write_stack(s, p)
    back = read_stack(p)
    assert back.dims == s.dims and back.name == s.name and back.dtype == s.dtype
    np.testing.assert_array_equal(back.values, s.values)
    assert back.attrs == s.attrs
    for c in s.coords:
        np.testing.assert_array_equal(back[c].values, s[c].values)
        assert back[c].attrs == s[c].attrs


@FAST
@given(e=st.lists(st.floats(4000, 30000), min_size=3, max_size=40, unique=True),
       kev=st.booleans(), reverse=st.booleans())
def test_xas_text_round_trip(e, kev, reverse, tmp_path):
    e = np.sort(np.round(np.array(e), 3))
    if np.any(np.diff(e) <= 1e-3):
        return
    mu = np.sin(e / 50.0)
    rows = list(zip(e / 1000 if kev else e, mu))
    if reverse:
        rows = rows[::-1]
    p = tmp_path / 'scan.dat'
    p.write_text(f"# energy({'keV' if kev else 'eV'}) mu\n" + '\n'.join(f'{a:.7f} {b:.9f}' for a, b in rows))
    ds = read_xas(p)
    np.testing.assert_allclose(ds.energy.values, e, rtol=0, atol=1e-3)
    np.testing.assert_allclose(ds.mu.values, mu, atol=1e-8)
    assert ds.energy.attrs['units'] == 'eV'


@FAST
@given(v=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=0, max_size=12))
def test_check_axis_accepts_only_clean_increasing(v):
    v = np.array(v, dtype=float)
    clean = v.size > 0 and np.isfinite(v).all() and (np.diff(v) > 0).all()
    if clean:
        np.testing.assert_array_equal(check_axis(v, 'energy'), v)
    else:
        with pytest.raises(AxisError):
            check_axis(v, 'energy')


@FAST
@given(v=st.lists(st.floats(-1e7, 1e7), min_size=1, max_size=8), units=st.sampled_from([None, 'eV', 'keV', 'ev']))
def test_energy_units_never_escape_as_other_errors(v, units):
    try:
        out = energy_to_ev(v, units)
    except SpectroError:
        return
    assert out.min() >= 100 and out.max() <= 150_000
