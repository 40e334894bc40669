"""The assessment workshop: a questionnaire workbook per rater (:mod:`~kit.workshop.questionnaire`),
the filled workbooks taken back into ``assessment.csv`` (:mod:`~kit.workshop.ingest`), and the
live view the facilitator shows (:mod:`~kit.workshop.live`)."""

from kit.workshop.live import WorkshopReport

__all__ = ["WorkshopReport"]
