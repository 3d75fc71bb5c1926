"""What a tablet receives of a case: only what the visit needs (R21, data minimisation). The family's
ID numbers travel masked (500112********123X, `schemas.masking`) unless a form the case requires needs the full number
(no form does today: the surveyors confirm identity against the document, they do not copy it)."""
from __future__ import annotations

from schemas.forms import form_for
from schemas.masking import masked_id_number
from schemas.protocol import CaseSummary, Subject


def needs_full_id_numbers(case: CaseSummary) -> bool:
    """Whether a form of the case's required checks asks for full ID numbers."""
    return any(form_for(kind).needs_full_id_numbers for kind in case.required_checks)


def for_device(case: CaseSummary) -> CaseSummary:
    """The case as sent to a tablet: ID numbers masked unless a form needs them."""
    if needs_full_id_numbers(case):
        return case
    subjects = [Subject(id=s.id, name=s.name, id_number=masked_id_number(s.id_number), relation=s.relation)
                for s in case.subjects]
    return case.model_copy(update={"subjects": subjects})
