"""Domain errors: user-safe, translatable messages that views turn into form errors or
messages and the API turns into 4xx answers — never a 500."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused the operation; ``message`` is safe to show a user."""

    default_message = _("操作未能完成。")
    status_code = 400

    def __init__(self, message: object = None, *, field: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(str(self.message))

    def messages(self) -> list[str]:
        """What to tell the user, one message each."""
        return [str(self.message)]

    def text(self) -> str:
        """The messages as one line."""
        return "；".join(self.messages())


class NotAllowed(DomainError):
    default_message = _("您没有权限执行此操作。")
    status_code = 403


class Conflict(DomainError):
    default_message = _("数据已被他人修改，请刷新后重试。")
    status_code = 409


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``errors`` maps field names to messages."""

    default_message = _("输入有误，请检查标出的字段。")
    status_code = 422

    def __init__(self, errors: dict[str, list[str]] | None = None, message: object = None) -> None:
        self.errors = errors or {}
        super().__init__(message)

    def messages(self) -> list[str]:
        if self.errors:
            return [str(m) for field_messages in self.errors.values() for m in field_messages]
        return super().messages()
