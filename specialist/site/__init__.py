"""The book side: each result's page (:mod:`~specialist.site.pages`), the generated index pages
(:mod:`~specialist.site.index`: artefacts, findings, claims) and the PDF
(:mod:`~specialist.site.pdf`)."""
