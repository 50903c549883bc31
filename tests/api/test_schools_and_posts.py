import pytest
from django.utils import timezone

from houbei.accounts.models import Role
from houbei.organisation.models import District, Post
from houbei.organisation.services import create_school

from ..factories import make_person, post_of

SCHOOLS = "/api/schools"
POSTS = "/api/posts"


@pytest.fixture
def far_school(db):
    far = District.objects.create(name="远郊区", code="far")
    return create_school(actor=None, district=far, name="远郊中学", code="far-school")


@pytest.mark.parametrize(
    ("role", "codes"),
    [
        (Role.PERSONNEL, ["shiba"]),
        (Role.STAFF, ["shiba"]),
        (Role.MENTOR, ["shiba"]),
        (Role.DISTRICT, ["second", "shiba"]),
        (Role.SYSADMIN, ["far-school", "second", "shiba"]),
    ],
)
def test_schools_list_is_the_callers_visible_schools(api, other_school, far_school, role, codes):
    response = api(role).get(SCHOOLS)
    assert response.status_code == 200
    assert sorted(s["code"] for s in response.json()) == codes


def test_school_detail_names_its_district(api, school):
    body = api(Role.STAFF).get(f"{SCHOOLS}/{school.pk}").json()
    assert body == {
        "id": school.pk,
        "name": "市八初级中学",
        "short_name": "市八初中",
        "code": "shiba",
        "is_active": True,
        "district": {"id": school.district_id, "name": "示范区", "code": "demo-district"},
    }


def test_school_outside_the_scope_is_404(api, other_school, far_school):
    assert api(Role.PERSONNEL).get(f"{SCHOOLS}/{other_school.pk}").status_code == 404
    assert api(Role.DISTRICT).get(f"{SCHOOLS}/{far_school.pk}").status_code == 404
    assert api(Role.DISTRICT).get(f"{SCHOOLS}/{other_school.pk}").status_code == 200


def test_schools_list_query_count_is_fixed(
    api, other_school, far_school, django_assert_num_queries
):
    reader = api(Role.SYSADMIN)
    reader.get(SCHOOLS)
    with django_assert_num_queries(2):  # token and user, schools with districts
        assert len(reader.get(SCHOOLS).json()) == 3


def test_posts_list_has_the_plans_ladder(api, school, other_school):
    body = api(Role.STAFF).get(POSTS).json()
    assert {p["school_id"] for p in body} == {school.pk}
    levels = {p["name"]: p["ladder_level"] for p in body}
    assert levels["班主任"] == 1
    assert levels["年级组长"] == levels["教研组长"] == 2
    assert levels["教导处"] == levels["工会"] == 3
    assert levels["（副）校级"] == 4
    first = body[0]
    assert first["allowed_lengths"] == ["term", "year"]
    assert first["category"] == "class" and first["archived"] is False


def test_posts_list_names_default_mentors_without_extra_queries(
    api, school, django_assert_num_queries
):
    reader = api(Role.STAFF)
    reader.get(POSTS)
    with django_assert_num_queries(3):  # token and user, posts of the scope, mentors
        reader.get(POSTS)
    for code in ("class-teacher", "grade-leader", "trade-union"):
        post_of(school, code).default_mentors.add(make_person(school, name=f"带教{code}"))
    with django_assert_num_queries(3):
        body = reader.get(POSTS).json()
    mentors = {p["code"]: [m["name"] for m in p["default_mentors"]] for p in body}
    assert mentors["class-teacher"] == ["带教class-teacher"]


def test_archived_posts_are_left_out_unless_asked(api, school):
    post = post_of(school, "trade-union")
    Post.objects.filter(pk=post.pk).update(archived_at=timezone.now())
    reader = api(Role.PERSONNEL)
    assert "工会" not in [p["name"] for p in reader.get(POSTS).json()]
    everything = reader.get(POSTS, {"include_archived": "true"}).json()
    assert [p["archived"] for p in everything if p["name"] == "工会"] == [True]


def test_district_reads_posts_of_one_of_its_schools(api, school, other_school, far_school):
    reader = api(Role.DISTRICT)
    assert {p["school_id"] for p in reader.get(POSTS).json()} == {school.pk, other_school.pk}
    only = reader.get(POSTS, {"school": other_school.pk}).json()
    assert {p["school_id"] for p in only} == {other_school.pk}
    assert reader.get(POSTS, {"school": far_school.pk}).status_code == 404


def test_school_user_asking_for_another_schools_posts_gets_404(api, other_school):
    assert api(Role.STAFF).get(POSTS, {"school": other_school.pk}).status_code == 404
