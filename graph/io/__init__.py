"""Importers and exporters: tabular files, the sample world, real datasets."""
