from . import marketplace_operation_mixin
from . import marketplace_instance
from . import marketplace_log
from . import marketplace_queue_job
from . import marketplace_queue_line
