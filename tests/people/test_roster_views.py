"""The web flow: upload → preview → commit → result, the template, the export page."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.people import national_id
from houbei.people.models import Person
from houbei.people.roster import storage, uploads
from houbei.people.roster.models import RosterUpload, UploadStatus
from houbei.people.roster.parse import parse_workbook
from houbei.people.roster.services import RosterUnreadable
from tests.conftest import make_user
from tests.factories import make_person
from tests.roster.fixtures import data_dir  # noqa: F401
from tests.roster.workbooks import PEOPLE_HEADERS, person_row, simple_roster, workbook_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("data_dir")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def personnel(client, users):
    client.force_login(users[Role.PERSONNEL])
    return users[Role.PERSONNEL]


def upload_file(client, data: bytes, name: str = "名册.xlsx", upload_id: str | None = None):
    payload = {"file": SimpleUploadedFile(name, data, content_type=XLSX)}
    if upload_id:
        payload["upload_id"] = upload_id
    return client.post(reverse("roster:import"), payload)


def test_import_page_offers_the_template_and_a_fresh_upload_id(client, personnel) -> None:
    response = client.get(reverse("roster:import"))
    assert response.status_code == 200
    assert reverse("roster:template").encode() in response.content
    assert b'name="upload_id"' in response.content


def test_upload_preview_commit_and_result(client, personnel, school) -> None:
    chosen = str(uuid.uuid4())
    response = upload_file(client, simple_roster(3, history=True), upload_id=chosen)
    upload = RosterUpload.objects.get()
    assert str(upload.pk) == chosen  # the id the page polled while uploading
    assert response.status_code == 302 and response["Location"] == reverse(
        "roster:upload", kwargs={"pk": chosen}
    )
    assert upload.status == UploadStatus.READY
    assert upload.summary["created"] == 3
    assert storage.file_path(upload.pk).exists()
    assert not storage.progress_path(upload.pk).exists()

    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "确认导入（新增 3 人，更新 0 人）" in text
    assert "教师2" in text and "新增任职：班主任 2012-09-01 — 2015-07-31" in text
    assert Person.objects.count() == 0  # nothing written by the preview

    response = client.post(reverse("roster:commit", kwargs={"pk": chosen}))
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMMITTED
    assert upload.summary["created"] == 3
    assert Person.objects.filter(school=school).count() == 3
    assert not storage.file_path(upload.pk).exists()  # the personal data file is gone
    entry = AuditEntry.objects.get(action="people.roster.imported")
    assert entry.actor == personnel and entry.seq == upload.summary["audit_seq"]
    result = client.get(response["Location"]).content.decode()
    assert "导入结果" in result and "已新增" in result


def test_a_second_commit_of_the_same_upload_is_refused(client, personnel, school) -> None:
    upload_file(client, simple_roster(2))
    upload = RosterUpload.objects.get()
    client.post(reverse("roster:commit", kwargs={"pk": upload.pk}))
    response = client.post(reverse("roster:commit", kwargs={"pk": upload.pk}), follow=True)
    assert "不能执行此操作" in response.content.decode()
    assert Person.objects.filter(school=school).count() == 2
    assert AuditEntry.objects.filter(action="people.roster.imported").count() == 1


def test_upload_with_errors_shows_them_and_cannot_be_committed(client, personnel) -> None:
    rows = [
        ["名册"],
        PEOPLE_HEADERS,
        person_row("T1", "甲"),
        person_row("T2", "乙", birth="1985.13"),
    ]
    upload_file(client, workbook_bytes({"教职工": rows}))
    upload = RosterUpload.objects.get()
    assert upload.status == UploadStatus.INVALID
    assert not storage.file_path(upload.pk).exists()
    text = client.get(reverse("roster:upload", kwargs={"pk": upload.pk})).content.decode()
    assert '<td data-label="工作表">教职工</td>' in text
    assert ">4</td>" in text and "出生日期" in text and "月份不存在" in text
    assert "确认导入" not in text
    client.post(reverse("roster:commit", kwargs={"pk": upload.pk}))
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "名册.xls", "旧版 Excel"),
        ("工号,姓名\n".encode(), "名册.csv", "CSV"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "名册.png", "图片"),
    ],
)
def test_bad_file_is_refused_on_the_form(client, personnel, data, name, message) -> None:
    response = upload_file(client, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RosterUpload.objects.exists()
    assert list(storage.uploads_dir().iterdir()) == []


def test_oversized_file_is_refused_on_the_form(client, personnel, settings) -> None:
    settings.ROSTER_MAX_BYTES = 2000
    response = upload_file(client, simple_roster(100))
    assert "超过了上限" in response.content.decode()
    assert not RosterUpload.objects.exists()


def test_unreadable_workbook_ends_as_rejected_with_the_reason(client, personnel) -> None:
    upload_file(client, workbook_bytes({"Sheet1": [["名单"], ["王静"]]}))
    upload = RosterUpload.objects.get()
    assert upload.status == UploadStatus.REJECTED
    assert "表头" in upload.message
    assert not storage.file_path(upload.pk).exists()
    assert "表头" in client.get(reverse("roster:upload", kwargs={"pk": upload.pk})).content.decode()


def test_another_users_upload_is_not_found(client, personnel, school) -> None:
    upload_file(client, simple_roster(1))
    upload = RosterUpload.objects.get()
    colleague = make_user(Role.PERSONNEL, school=school, username="personnel-2")
    client.force_login(colleague)
    assert client.get(reverse("roster:upload", kwargs={"pk": upload.pk})).status_code == 404
    assert client.post(reverse("roster:commit", kwargs={"pk": upload.pk})).status_code == 404
    assert client.get(reverse("roster:upload", kwargs={"pk": "not-a-uuid"})).status_code == 404


def test_preview_page_query_count_does_not_grow_with_rows(
    client, personnel, django_assert_num_queries
) -> None:
    upload_file(client, simple_roster(250))
    upload = RosterUpload.objects.get()
    url = reverse("roster:upload", kwargs={"pk": upload.pk})
    client.get(url)
    # session, user, the user's school, the upload; the rows come from the preview file
    with django_assert_num_queries(4):
        response = client.get(url + "?show=all&page=2")
    assert "第 2 / 3 页" in response.content.decode()


def test_progress_fragment_while_working_and_refresh_when_done(client, personnel, school) -> None:
    upload = RosterUpload.objects.create(
        school=school, user=personnel, filename="a.xlsx", status=UploadStatus.COMMITTING
    )
    storage.ProgressFile(upload.pk)("writing", 4000, 10000)
    url = reverse("roster:progress", kwargs={"pk": upload.pk})
    response = client.get(url, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "写入数据库" in text and "4000 / 10000" in text and 'value="40"' in text
    assert "HX-Refresh" not in response
    RosterUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.COMMITTED)
    assert client.get(url)["HX-Refresh"] == "true"


def test_with_a_queueing_backend_the_page_polls_until_the_worker_is_done(
    client, personnel, settings
) -> None:
    # Django rebuilds its task backends when TASKS changes.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    upload_file(client, simple_roster(2))
    upload = RosterUpload.objects.get()
    assert upload.status == UploadStatus.ANALYSING
    page = client.get(reverse("roster:upload", kwargs={"pk": upload.pk})).content.decode()
    assert 'hx-trigger="every 1s"' in page
    uploads.run_analysis(str(upload.pk))  # what the worker does
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY


def test_discard_removes_the_upload_and_its_files(client, personnel) -> None:
    upload_file(client, simple_roster(1))
    upload = RosterUpload.objects.get()
    response = client.post(reverse("roster:discard", kwargs={"pk": upload.pk}))
    assert response.status_code == 302
    assert not RosterUpload.objects.exists()
    assert list(storage.uploads_dir().iterdir()) == []


def test_old_uploads_expire_with_their_files(personnel, school) -> None:
    file = SimpleUploadedFile("a.xlsx", simple_roster(1), content_type=XLSX)
    upload = uploads.store_upload(actor=personnel, school=school, file=file)
    stray = storage.uploads_dir() / f"{uuid.uuid4()}.xlsx"
    stray.write_bytes(b"x")
    later = upload.created_at + dt.timedelta(hours=25)
    import os

    os.utime(stray, (0, 0))
    assert uploads.expire_uploads(now=later) == 1
    assert not RosterUpload.objects.exists()
    assert list(storage.uploads_dir().iterdir()) == []


def test_store_upload_refuses_a_bad_file_and_keeps_nothing(personnel, school) -> None:
    file = SimpleUploadedFile("a.xlsx", b"not a workbook at all", content_type=XLSX)
    with pytest.raises(RosterUnreadable):
        uploads.store_upload(actor=personnel, school=school, file=file)
    assert list(storage.uploads_dir().iterdir()) == []


def test_template_has_the_headers_drop_downs_and_no_example_rows(client, personnel) -> None:
    response = client.get(reverse("roster:template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["教职工名册", "任职经历", "荣誉", "年度考核", "填写说明", "选项"]
    people = workbook["教职工名册"]
    assert [c.value for c in people[1]] == [
        "工号",
        "姓名",
        "性别",
        "出生日期",
        "身份证号",
        "入校时间",
        "参加工作时间",
        "编制",
        "在岗状态",
        "政治面貌",
        "学历",
        "职称",
        "任教学科",
        "身心健康",
        "健康确认日期",
        "联系电话",
        "电子邮箱",
    ]
    assert people.max_row == 1
    assert [c.value for c in workbook["任职经历"][1]] == [
        "工号",
        "姓名",
        "岗位",
        "开始",
        "结束",
        "备注",
    ]
    assert [c.value for c in workbook["荣誉"][1]] == [
        "工号",
        "姓名",
        "称号",
        "级别",
        "年度",
        "备注",
    ]
    appraisals = workbook["年度考核"]
    assert [c.value for c in appraisals[1]] == ["工号", "姓名", "考核年度", "考核等次", "备注"]
    (grade_list,) = appraisals.data_validations.dataValidation
    assert str(grade_list.sqref).startswith("D2")
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in people.data_validations.dataValidation}
    assert set(lists) == {"C", "H", "I", "J", "K", "N"}
    options = workbook["选项"]
    assert options.sheet_state == "hidden"
    columns = {col[0].value: [c.value for c in col[1:] if c.value] for col in options.iter_cols()}
    assert columns["性别"] == ["男", "女"]
    assert "班主任" in columns["岗位"] and "（副）校级" in columns["岗位"]
    assert columns["考核等次"] == ["优秀", "合格", "基本合格", "不合格", "不定等次"]
    letter = next(col[0].column_letter for col in options.iter_cols() if col[0].value == "岗位")
    (post_list,) = workbook["任职经历"].data_validations.dataValidation
    assert post_list.formula1.startswith(f"'选项'!${letter}$2")


def test_filled_template_imports(client, personnel, school) -> None:
    workbook = load_workbook(io.BytesIO(client.get(reverse("roster:template")).content))
    workbook["教职工名册"].append(
        [
            "T1",
            "王静",
            "女",
            dt.date(1985, 9, 1),
            None,
            dt.date(2010, 9, 1),
            dt.date(2008, 8, 1),
            "在编",
            "在岗",
            "中共党员",
            "大学本科",
            "中学一级教师",
            "语文",
            "是",
            dt.date(2021, 3, 1),
            "13800138000",
            "wj@example.cn",
        ]
    )
    workbook["任职经历"].append(["T1", "王静", "班主任", dt.date(2012, 9, 1), None, ""])
    workbook["年度考核"].append(["T1", "王静", 2023, "优秀", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse_workbook(io.BytesIO(buffer.getvalue()))
    assert parsed.errors == [] and len(parsed.people) == 1 and len(parsed.history) == 1
    assert [(a.year, a.grade) for a in parsed.appraisals] == [(2023, "excellent")]
    upload_file(client, buffer.getvalue())
    upload = RosterUpload.objects.get()
    assert upload.status == UploadStatus.READY, upload.message
    client.post(reverse("roster:commit", kwargs={"pk": upload.pk}))
    person = Person.objects.get(school=school, staff_number="T1")
    assert person.post_history.get().post.name == "班主任"
    assert person.annual_appraisals.get().get_grade_display() == "优秀"


def test_export_link_downloads_a_masked_workbook_and_is_audited(client, users, school) -> None:
    client.force_login(users[Role.DECISION])
    make_person(
        school, staff_number="T1", name="甲", **national_id.protected_fields("11010519491231002X")
    )
    response = client.get(reverse("roster:export") + "?format=xlsx&post_status=on")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = list(
        load_workbook(io.BytesIO(response.content))["教职工名册"].iter_rows(values_only=True)
    )
    assert rows[1][4] == "1101**********002X"
    entry = AuditEntry.objects.get(action="people.roster.exported")
    assert entry.actor == users[Role.DECISION]
    assert entry.new["filters"] == {"post_status": "on"}


def test_export_form_requires_a_purpose_for_full_ids(client, personnel, school) -> None:
    make_person(
        school, staff_number="T1", name="甲", **national_id.protected_fields("11010519491231002X")
    )
    url = reverse("roster:export")
    assert client.get(url).status_code == 200
    response = client.post(url, {"format": "json", "full_national_ids": "on"})
    assert response.status_code == 200 and "请填写用途" in response.content.decode()
    assert not AuditEntry.objects.filter(action="people.roster.exported").exists()
    response = client.post(url, {"format": "json", "full_national_ids": "on", "reason": "社保核对"})
    data = json.loads(response.content)
    assert data["people"][0]["national_id"] == "11010519491231002X"
    assert AuditEntry.objects.get(action="people.roster.exported").reason == "社保核对"


def test_reupload_of_imported_file_offers_nothing_to_import(client, personnel, school) -> None:
    data = simple_roster(3)
    upload_file(client, data)
    first = RosterUpload.objects.get()
    client.post(reverse("roster:commit", kwargs={"pk": first.pk}))
    upload_file(client, data)
    second = RosterUpload.objects.exclude(pk=first.pk).get()
    assert second.summary["unchanged"] == 3
    text = client.get(reverse("roster:upload", kwargs={"pk": second.pk})).content.decode()
    assert "文件内容与现有档案一致，无需导入。" in text
    assert reverse("roster:commit", kwargs={"pk": second.pk}) not in text


def test_created_people_list_their_values_not_their_number_twice(client, personnel) -> None:
    upload_file(client, simple_roster(1))
    upload = RosterUpload.objects.get()
    text = client.get(reverse("roster:upload", kwargs={"pk": upload.pk})).content.decode()
    assert "<span>性别 女</span><span>出生日期 1985-03-01</span>" in text
    assert "<span>工号" not in text
