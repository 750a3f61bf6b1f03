"""spectro_nb: operando battery spectroscopy in Jupyter (written as nbdev notebooks in nbs/)."""
__version__ = "0.1.0"

# The error hierarchy is part of the public API (`spectro_nb.SpectroError`). Only the light core is
# imported here: stage modules (torch, PyBaMM, Panel) load when a user imports them.
from .core import (SpectroError, FileError, FormatError, AxisError, UnitsError, DataError,
                   ShapeError)
