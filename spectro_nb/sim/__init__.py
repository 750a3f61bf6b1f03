"""Forward models that give spectro_nb its ground truth: the operando cell (PyBaMM, `sim.cell`) and the
spectromicroscopy imaging model (`sim.imaging`). Written by hand (not exported): it only re-exports, lazily,
so that `import spectro_nb.sim` loads neither PyBaMM nor the imaging code until they are used."""

__all__ = ['simulate_cell', 'spectromicroscopy']


def __getattr__(name):
    if name == 'simulate_cell':
        from .cell import simulate_cell
        return simulate_cell
    if name == 'spectromicroscopy':
        from .imaging import spectromicroscopy
        return spectromicroscopy
    raise AttributeError(f"module 'spectro_nb.sim' has no attribute {name!r}")
