from . import marketplace_instance
from . import bc_instance
from . import bc_reference
from . import marketplace_queue_line
from . import bc_instance_catalog_sync
