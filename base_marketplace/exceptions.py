from odoo.exceptions import UserError


class ShortcutError(UserError):
    """A failure that comes with a shortcut to fix it: the failed queue line's log offers
    ``action_data`` (a window action) under ``action_label``."""

    def __init__(self, message, action_label, action_data):
        super().__init__(message)
        self.action_label = action_label
        self.action_data = action_data
