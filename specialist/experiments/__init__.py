"""One function per experiment run: what an artefact's sweep calls for each (setting, seed).

Notebooks stay thin: they choose a grid, call :func:`specialist.sweep.run_grid` with a function
from here, and plot the tidy table it returns.
"""
