from . import test_queue
from . import test_notifications
from . import test_queue_concurrency
from . import test_queue_security
