from . import marketplace_instance
from . import bc_instance
