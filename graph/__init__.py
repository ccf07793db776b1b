"""chainmatch.graph: the domain model, the stores and chain analysis.

Nothing here imports ``matching`` or ``api``; importing this package does no work.
"""
