from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houbei.core.errors import DomainError, ValidationFailed
from houbei.organisation.models import District, School
from houbei.people.models import Person

from .access import AuthedRequest, Cap, public, requires
from .forms import LoginForm
from .manage_forms import (
    ApiTokenForm,
    DistrictForm,
    ReasonForm,
    SchoolCreateForm,
    SchoolEditForm,
    UserFilterForm,
    UserForm,
    add_service_errors,
)
from .models import ApiToken, User
from .services import (
    add_school,
    change_password,
    create_district,
    create_user,
    issue_api_token,
    reset_password,
    revoke_api_token,
    set_school_active,
    unlock_user,
    update_school,
    update_user,
)

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
logout = public(auth_views.LogoutView.as_view())


@requires(Cap.HOME)
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_password(
            actor=request.user, user=request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("密码已修改。"))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


# --- API tokens -------------------------------------------------------------------------


def _shown_once(response: HttpResponse) -> HttpResponse:
    """A page that carries a secret (a new token or password) must not be cached anywhere."""
    response["Cache-Control"] = "no-store"
    return response


@requires(Cap.API_TOKENS)
def tokens(request: AuthedRequest) -> HttpResponse:
    """One's own API tokens; a new token's raw value is in this response only."""
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = issue_api_token(actor=request.user, name=form.cleaned_data["name"])
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            new_token = {"token": token, "raw": raw}
            form = ApiTokenForm()
    own = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    response = render(
        request, "accounts/tokens.html", {"form": form, "tokens": own, "new_token": new_token}
    )
    return _shown_once(response) if new_token else response


@requires(Cap.API_TOKENS)
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        revoke_api_token(actor=request.user, token=token)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("accounts:tokens")


# --- Users ------------------------------------------------------------------------------

USERS_PER_PAGE = 50


@requires(Cap.USERS_MANAGE)
def users(request: AuthedRequest) -> HttpResponse:
    filters = UserFilterForm(request.GET or None)
    rows = User.objects.select_related("school__district", "district", "person").order_by(
        "username"
    )
    if filters.is_valid():
        if q := filters.cleaned_data["q"].strip():
            rows = rows.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if role := filters.cleaned_data["role"]:
            rows = rows.filter(role=role)
        if school := filters.cleaned_data["school"]:
            rows = rows.filter(school=school)
    page = Paginator(rows, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/users.html",
        {"filters": filters, "page": page, "now": timezone.now()},
    )


def _user_form_values(form: UserForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "display_name": data["display_name"],
        "role": data["role"],
        "school": data["school"],
        "district": data["district"],
        "is_active": data["is_active"],
    }


@requires(Cap.USERS_MANAGE)
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = create_user(
                actor=request.user,
                username=form.cleaned_data["username"],
                **_user_form_values(form),
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            return _shown_once(
                render(
                    request,
                    "accounts/password_shown.html",
                    {"subject": user, "password": password, "created": True},
                )
            )
    return render(request, "accounts/user_form.html", {"form": form, "subject": None})


@requires(Cap.USERS_MANAGE)
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User.objects.select_related("school", "district"), pk=pk)
    initial = {
        "display_name": subject.display_name,
        "role": subject.role,
        "school": subject.school_id,
        "district": subject.district_id,
        "is_active": subject.is_active,
    }
    form = UserForm(
        request.POST or None, initial=initial, editing=True, current_school_id=subject.school_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_user(actor=request.user, user=subject, **_user_form_values(form))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("用户“%(user)s”已保存。") % {"user": subject.username})
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "subject": subject})


@requires(Cap.USERS_MANAGE)
def user_reset_password(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST sets a generated password and shows it once."""
    subject = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        try:
            password = reset_password(actor=request.user, user=subject)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("accounts:users")
        return _shown_once(
            render(
                request,
                "accounts/password_shown.html",
                {"subject": subject, "password": password, "created": False},
            )
        )
    return render(request, "accounts/user_reset_password.html", {"subject": subject})


@requires(Cap.USERS_MANAGE)
@require_POST
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    try:
        unlock_user(actor=request.user, user=subject)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("账号“%(user)s”已解锁。") % {"user": subject.username})
    return redirect("accounts:users")


# --- Districts and schools --------------------------------------------------------------


@requires(Cap.SCHOOLS_MANAGE)
def schools(request: AuthedRequest) -> HttpResponse:
    """Every district with its schools and how many users and current staff each has."""
    user_count = (
        User.objects.filter(school=OuterRef("pk"))
        .order_by()
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    people_count = (
        Person.objects.current()
        .filter(school=OuterRef("pk"))
        .order_by()
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    school_rows = School.objects.annotate(
        user_count=Coalesce(Subquery(user_count), 0),
        people_count=Coalesce(Subquery(people_count), 0),
    ).order_by("-is_active", "name")
    districts = District.objects.prefetch_related(
        Prefetch("schools", queryset=school_rows, to_attr="school_rows")
    ).order_by("name")
    return render(request, "accounts/schools.html", {"districts": districts})


@requires(Cap.SCHOOLS_MANAGE)
def district_create(request: AuthedRequest) -> HttpResponse:
    form = DistrictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            district = create_district(actor=request.user, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加“%(district)s”。") % {"district": district})
            return redirect("accounts:schools")
    return render(
        request,
        "accounts/simple_form.html",
        {"form": form, "title": _("添加区"), "back": "accounts:schools"},
    )


@requires(Cap.SCHOOLS_MANAGE)
def school_create(request: AuthedRequest) -> HttpResponse:
    form = SchoolCreateForm(request.POST or None, initial={"district": request.GET.get("district")})
    if request.method == "POST" and form.is_valid():
        try:
            school = add_school(actor=request.user, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已创建学校“%(school)s”，并按方案设置了十个轮岗岗位。") % {"school": school},
            )
            return redirect("accounts:schools")
    return render(
        request,
        "accounts/simple_form.html",
        {"form": form, "title": _("新建学校"), "back": "accounts:schools"},
    )


@requires(Cap.SCHOOLS_MANAGE)
def school_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    school = get_object_or_404(School, pk=pk)
    form = SchoolEditForm(
        request.POST or None, initial={"name": school.name, "short_name": school.short_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_school(actor=request.user, school=school, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("学校信息已保存。"))
            return redirect("accounts:schools")
    return render(
        request,
        "accounts/simple_form.html",
        {
            "form": form,
            "title": _("编辑学校：%(school)s") % {"school": school},
            "back": "accounts:schools",
        },
    )


@requires(Cap.SCHOOLS_MANAGE)
def school_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """Deactivate an active school or reactivate an inactive one, with a reason."""
    school = get_object_or_404(School.objects.select_related("district"), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_school_active(
                actor=request.user,
                school=school,
                active=not school.is_active,
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("accounts:schools")
        else:
            done = _("已停用“%(school)s”。") if school.is_active else _("已重新启用“%(school)s”。")
            messages.success(request, done % {"school": school})
            return redirect("accounts:schools")
    return render(request, "accounts/school_status.html", {"form": form, "school": school})
