from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import note_failed_login, note_successful_login


class LoginForm(AuthenticationForm):
    """Django's login form plus lock-out after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。"),
        "locked": _("该账号因多次登录失败已被暂时锁定，请稍后再试或联系系统管理员。"),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username:
            user = User.objects.filter(username=username).first()
            if user is not None and user.is_locked():
                raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username and note_failed_login(username=username):
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise
        note_successful_login(user=self.get_user())
        return cleaned
