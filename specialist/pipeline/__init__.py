"""The artefact pipeline: jupytext notebook → papermill → results folder + executed notebook.

* :mod:`~specialist.pipeline.plan`: which notebook regenerates which artefact, with which
  parameters (``params``: the parameters cell and the profiles);
* :mod:`~specialist.pipeline.dependencies`: the one import analysis (cache keys, run-store keys
  and the API tests);
* :mod:`~specialist.pipeline.cache`: is a stored result current;
* :mod:`~specialist.pipeline.execute`: run one plan in a staging folder, record provenance,
  swap the result in;
* :mod:`~specialist.pipeline.cli`: ``python -m specialist reproduce | list``, the profile lock
  and the Dask scheduler option.

The sweeps a notebook runs go through :mod:`specialist.sweep`; the book's pages are made by
:mod:`specialist.site`.
"""
