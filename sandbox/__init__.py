"""A stateful BigCommerce sandbox store (test and demo infrastructure; pure standard library).

``python -m sandbox --port 8765`` or ``from sandbox.server import start_sandbox``. See ``sandbox/README.md``.
"""
from .server import Sandbox, start_sandbox  # noqa: F401
