from . import test_instance
from . import test_secrets_rpc
from . import test_instance_tour
from . import test_catalog_sync
from . import test_order_import
from . import test_webhooks
from . import test_order_concurrency
from . import test_shipment_export
