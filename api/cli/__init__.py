"""The ``chainmatch`` command line, one module per command group (mirroring :mod:`api.routes`).

The app is assembled in :mod:`api.cli.main`; ``chainmatch`` runs :func:`api.cli.main.main`.
"""
