"""``chainmatch bench``: the committed benchmarks, one module per phase, one measuring helper."""
