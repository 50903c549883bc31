from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from houbei.core.exports import FORMATS


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件"),
        help_text=_("Excel 工作簿（.xlsx），不超过 %(mb)s MB。")
        % {"mb": settings.ROSTER_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("格式"),
        choices=[("xlsx", _("Excel 工作簿（.xlsx）")), ("json", _("JSON"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    full_national_ids = forms.BooleanField(
        label=_("导出完整身份证号"),
        required=False,
        help_text=_("默认只导出遮蔽后的身份证号。导出完整号码会记入审计记录，请填写用途。"),
    )
    reason = forms.CharField(label=_("用途"), required=False, max_length=200)

    def clean_format(self) -> str:
        value = self.cleaned_data["format"]
        if value not in FORMATS:
            raise forms.ValidationError(_("不支持的格式。"))
        return value

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("full_national_ids") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("导出完整身份证号时请填写用途。"))
        return data
