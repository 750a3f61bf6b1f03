"""Panel views of spectro_nb, one per stage (`soc`, ...), each a `param` class a notebook displays and `panel serve` hosts."""
