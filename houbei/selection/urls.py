from django.urls import path

from . import check_views, views

app_name = "selection"
urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("new/", views.cycle_create, name="create"),
    path("notices/", views.notices, name="notices"),
    path("pool-targets/<int:pk>/", check_views.pool_targets_page, name="pool_targets"),
    path(
        "pool-targets/<int:pk>/save/",
        check_views.pool_targets_save,
        name="pool_targets_save",
    ),
    path("<int:pk>/", views.cycle_detail, name="detail"),
    path("<int:pk>/advance/", views.advance, name="advance"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/documents/<str:fmt>/", views.document, name="document"),
    # 筹备
    path("<int:pk>/preparation/", views.preparation, name="preparation"),
    path("<int:pk>/preparation/settings/", views.setup, name="setup"),
    path("<int:pk>/preparation/lists/", views.set_list, name="lists"),
    path("<int:pk>/preparation/roll/add/", views.roll_add, name="roll_add"),
    path("<int:pk>/preparation/roll/remove/", views.roll_remove, name="roll_remove"),
    # 民主推荐
    path("<int:pk>/recommendation/", views.recommendation_page, name="recommendation"),
    path("<int:pk>/recommendation/rounds/", views.round_create, name="round_create"),
    path("<int:pk>/recommendation/rounds/<int:sub>/open/", views.round_open, name="round_open"),
    path("<int:pk>/recommendation/rounds/<int:sub>/close/", views.round_close, name="round_close"),
    path("<int:pk>/recommendation/rounds/<int:sub>/tally/", views.round_tally, name="round_tally"),
    path("<int:pk>/recommendation/talks/", views.talk_counts, name="talk_counts"),
    # 征求意见
    path("<int:pk>/opinions/", views.opinions_page, name="opinions"),
    path("<int:pk>/opinions/record/", views.opinion_record, name="opinion_record"),
    # 确定考察对象
    path("<int:pk>/targets/", views.targets_page, name="targets"),
    path("<int:pk>/targets/choose/", views.targets_choose, name="targets_choose"),
    path("<int:pk>/targets/notice/", views.targets_notice, name="targets_notice"),
    path("<int:pk>/targets/<int:sub>/readiness/", views.readiness, name="readiness"),
    # 组织考察
    path("<int:pk>/inspection/", views.inspection_page, name="inspection"),
    path("<int:pk>/inspection/<int:sub>/", views.inspection_target, name="inspection_target"),
    path("<int:pk>/inspection/<int:sub>/talks/", views.talk_record, name="talk_record"),
    path("<int:pk>/inspection/<int:sub>/appraisal/", views.appraisal, name="appraisal"),
    path("<int:pk>/inspection/<int:sub>/report/", views.report_save, name="report_save"),
    path("<int:pk>/inspection/<int:sub>/draft/", views.report_draft, name="report_draft"),
    path("<int:pk>/inspection/<int:sub>/sign/", views.report_sign, name="report_sign"),
    path("<int:pk>/inspection/<int:sub>/checks/", check_views.check_record, name="check_record"),
    # 讨论决定
    path("<int:pk>/decision/", views.decision_page, name="decision"),
    path("<int:pk>/decision/meeting/", views.meeting_record, name="meeting_record"),
    # 公示
    path("<int:pk>/notice/", views.notice_page, name="notice"),
    path("<int:pk>/notice/end/", views.notice_end, name="notice_end"),
    path("<int:pk>/notice/objections/", views.objection_create, name="objection_create"),
    path("<int:pk>/notice/objections/<int:sub>/", views.objection_detail, name="objection"),
    path(
        "<int:pk>/notice/objections/<int:sub>/close/",
        views.objection_close,
        name="objection_close",
    ),
    path(
        "<int:pk>/notice/objections/<int:sub>/resolve/",
        views.objection_resolve,
        name="objection_resolve",
    ),
    # 完成
    path("<int:pk>/pool/", views.pool, name="pool"),
]
