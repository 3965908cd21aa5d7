from . import test_order_import
from . import test_webhooks
from . import test_order_concurrency
