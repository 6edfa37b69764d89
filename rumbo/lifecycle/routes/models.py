"""Models of this area (see the package docstring)."""
