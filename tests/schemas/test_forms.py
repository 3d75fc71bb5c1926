"""The forms are data (R9, R14): every section the standard names is present."""
from schemas.forms import form_for, load_form
from schemas.records import VisitKind


def test_home_visit_form_covers_the_sections_of_5_3_2_2_1():
    form = form_for(VisitKind.HOME_VISIT)
    titles = [s.title for s in form.sections]
    for needed in ["居住环境", "身份证明材料", "家庭基本情况", "收入情况", "财产情况", "支出情况", "日常生活状况"]:
        assert needed in titles
    assert form.min_surveyors == 2 and form.respondent_signature == "required"


def test_neighbour_interview_asks_voluntariness_first():
    """R15."""
    form = load_form("neighbour_interview")
    assert "voluntary_confirmed" in [n.id for n in form.notification]


def test_field_ids_are_unique_and_choices_have_options():
    for kind in VisitKind:
        fields = form_for(kind).fields()
        assert len({f.id for f in fields}) == len(fields)
        assert all(f.options for f in fields if f.type == "choice")
