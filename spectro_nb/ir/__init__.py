"""Stage 3, operando IR: the dataset generator (`ir.sim`), real sequences in the same layout
(`ir.files`), the metrics (`ir.metrics`), the baselines and benchmark runner (`ir.bench`) and ABCC
(`ir.abcc`). Written by hand (not exported): it only re-exports, lazily, so that `import spectro_nb.ir`
loads neither torch nor the generator until they are used."""

__all__ = ['make_dataset', 'load_dataset', 'from_files', 'benchmark', 'ABCC']

_WHERE = {'make_dataset': 'sim', 'load_dataset': 'sim', 'from_files': 'files', 'benchmark': 'bench',
          'ABCC': 'abcc'}


def __getattr__(name):
    if name in _WHERE:
        import importlib
        return getattr(importlib.import_module(f'{__name__}.{_WHERE[name]}'), name)
    raise AttributeError(f"module 'spectro_nb.ir' has no attribute {name!r}")
