from . import marketplace_operation_wizard
