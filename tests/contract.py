"""Contract checks against BigCommerce's official OpenAPI specs (``../shared/bigcommerce/openapi``).

    from contract import specs_available, validate_request, validate_response, validate_webhook

(pytest puts ``tests/`` on sys.path for the test modules; ``tests`` itself is not importable as a package
name because the addons' own ``tests`` packages shadow it.)

    validate_request("GET", "/stores/abc/v2/orders", {"min_date_modified": "...", "sort": "date_modified:asc"})
    validate_request("POST", "/v3/orders/101/payment_actions/refunds", None, {"items": [...], "payments": [...]})
    validate_response("GET", "/v2/orders/101", 200, body_json, "application/json")

``path`` may be a full URL, ``/stores/{hash}/v2/...``, or ``/v2/...``. Both raise ``ContractError``
(an AssertionError) with every problem found, and return the operationId. ``validate_webhook(payload)``
checks a webhook callback body; ``validate_schema(spec_file, "#/components/...", value)`` any component. Set ``BC_OPENAPI_DIR`` to
use another spec folder. Only PyYAML, jsonschema and openapi-schema-validator are needed.

Spec defects handled here (each is documented in the specs themselves, see API-NOTES.md):
* ``oneOf`` alternatives that overlap (e.g. consignment ``line_items`` = links **or** full order
  products, where a full product also matches the link schema; refund items ``ORDER`` matching both
  "Amount Bound" and "Tax Exempt") would reject every valid document, so ``oneOf`` is checked as ``anyOf``,
  and link objects (``{url, resource}``) get ``additionalProperties: false`` so a full record cannot
  pass as a link.
* A ``204`` is bodiless in HTTP even where the spec attaches a schema to it.
* ``sort`` values carry ``:asc``/``:desc`` (O2 §sort describes it) although the enum lists bare fields
  (CU3's enum lists them with the direction: those are taken as they are).
* PR#createProduct types ``variants[]`` as ``productVariant_Full``, which requires the ``id`` and
  ``product_id`` a variant being created cannot have yet (the spec's own example sends 0): in that
  request body only ``sku`` is required of a variant.
* ``...:in`` / ``...:not_in`` parameters declared as a scalar (e.g. LO ``location_id:in: integer``) are
  described as comma-separated lists: each item is checked against the scalar schema.
"""
import copy
import os
import re
from functools import lru_cache
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC_DIR = os.environ.get("BC_OPENAPI_DIR") or os.path.normpath(os.path.join(ROOT, "..", "shared", "bigcommerce", "openapi"))
SPEC_FILES = (
    "orders.v2.oas2.yml", "orders.v3.yml", "store_information.v2.yml", "channels.v3.yml", "locations.v3.yml",
    "inventory.v3.yml", "tax_classes.v2.yml", "tax_classes.v3.yaml", "currencies.v2.yml", "brands_catalog.v3.yml",
    "category-trees_catalog.v3.yml", "categories_catalog.v3.yml", "products_catalog.v3.yml",
    "product-variants_catalog.v3.yml", "product-variant-options_catalog.v3.yml", "product-modifiers_catalog.v3.yml",
    "webhooks.v3.yml", "customers.v2.yml", "customers.v3.yml", "shipping.v2.yml", "price_lists.v3.yml",
)
METHODS = ("get", "put", "post", "delete", "patch")


class ContractError(AssertionError):
    pass


def specs_available():
    return os.path.isdir(SPEC_DIR) and os.path.exists(os.path.join(SPEC_DIR, "orders.v2.oas2.yml"))


def _any_of(node):
    if isinstance(node, dict):
        node = {("anyOf" if k == "oneOf" else k): _any_of(v) for k, v in node.items()}
        if set(node.get("properties") or ()) == {"url", "resource"}:
            node["additionalProperties"] = False  # a link object, so full records cannot pass as links
        return node
    if isinstance(node, list):
        return [_any_of(v) for v in node]
    return node


@lru_cache(maxsize=None)
def _spec(name):
    import yaml
    with open(os.path.join(SPEC_DIR, name), encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    return _any_of(doc)


class Operation:
    def __init__(self, spec_name, version, template, method, op, path_item):
        self.spec_name, self.version, self.template, self.method, self.op = spec_name, version, template, method, op
        self.doc = _spec(spec_name)
        self.params = [self.resolve(p) for p in path_item.get("parameters", []) + op.get("parameters", [])]
        self.regex = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(template)) + "/?$")
        self.literal_segments = sum(1 for s in template.split("/") if s and not s.startswith("{"))

    @property
    def operation_id(self):
        return self.op.get("operationId", "%s %s" % (self.method.upper(), self.template))

    def resolve(self, node):
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#/"):
                break
            seen.add(ref)
            target = self.doc
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def check(self, schema, instance, label):
        return _check(self.doc, schema, instance, "%s %s" % (self.operation_id, label))


def _check(doc, schema, instance, label):
    """Problems of ``instance`` against ``schema`` (``$ref``s resolve inside ``doc``)."""
    from openapi_schema_validator import OAS30Validator, oas30_format_checker
    wrapper = {"allOf": [schema], "components": doc.get("components", {})}
    errors = sorted(OAS30Validator(wrapper, format_checker=oas30_format_checker).iter_errors(instance),
                    key=lambda e: list(e.absolute_path))
    return ["%s: %s at %s" % (label, _short(e.message), "/".join(map(str, e.absolute_path)) or "<root>") for e in errors[:20]]


def validate_schema(spec_name, ref, instance):
    """``instance`` against a component of one spec file, e.g. ``("orders.v3.yml", "#/components/schemas/ErrorResponse")``."""
    problems = _check(_spec(spec_name), {"$ref": ref}, instance, "%s %s" % (spec_name, ref))
    if problems:
        raise ContractError("\n".join(problems))


def validate_webhook(payload):
    """A webhook callback body against its scope's schema in webhooks.v3.yml (``store/order/created`` ->
    ``store_order_created``); the schemas describe ``data`` loosely, so the payload's base fields are also required."""
    name = str(payload.get("scope", "")).replace("/", "_")
    if name not in _spec("webhooks.v3.yml")["components"]["schemas"]:
        raise ContractError("no webhook schema for scope %r" % payload.get("scope"))
    missing = {"scope", "store_id", "data", "hash", "created_at", "producer"} - set(payload)
    if missing:
        raise ContractError("webhook payload lacks %s" % ", ".join(sorted(missing)))
    validate_schema("webhooks.v3.yml", "#/components/schemas/" + name, payload)


def _short(text, limit=300):
    return text if len(text) <= limit else text[:limit] + "..."


@lru_cache(maxsize=None)
def _operations():
    ops = []
    for name in SPEC_FILES:
        if not os.path.exists(os.path.join(SPEC_DIR, name)):
            continue
        doc = _spec(name)
        version = urlsplit(doc["servers"][0]["url"]).path.rstrip("/").rsplit("/", 1)[-1]
        for template, item in doc.get("paths", {}).items():
            for method in METHODS:
                if method in item:
                    ops.append(Operation(name, version, template, method, item[method], item))
    return ops


def split_path(path):
    """(version, path inside the version) of a URL or path."""
    path = urlsplit(path).path
    match = re.search(r"/(v2|v3)(/.*)?$", path)
    if not match:
        raise ContractError("%s: not a BigCommerce API path (no /v2 or /v3 segment)" % path)
    return match.group(1), (match.group(2) or "/").rstrip("/") or "/"


def find_operation(method, path):
    if not specs_available():
        raise ContractError("OpenAPI specs not found in %s" % SPEC_DIR)
    version, inner = split_path(path)
    candidates = [op for op in _operations() if op.version == version and op.regex.match(inner)]
    if not candidates:
        raise ContractError("%s %s: no such path in the %s specs" % (method.upper(), inner, version))
    for op in sorted(candidates, key=lambda o: -o.literal_segments):
        if op.method == method.lower():
            return op
    raise ContractError("%s %s: method not in the spec (declared: %s)" % (
        method.upper(), inner, ", ".join(sorted({o.method.upper() for o in candidates}))))


def _coerce(value, schema, name):
    """A query-string value in the JSON type its schema declares (arrays are comma-separated)."""
    kind = schema.get("type")
    if kind == "array":
        return [_coerce(v, schema.get("items", {}), name) for v in str(value).split(",")]
    if isinstance(value, str):
        try:
            if kind == "integer":
                return int(value)
            if kind == "number":
                return float(value)
        except ValueError:
            return value
        if kind == "boolean" and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        if name == "sort" and re.search(r":(asc|desc)$", value) and value not in schema.get("enum", ()):
            return value.rsplit(":", 1)[0]
    return value


def validate_request(method, path, params=None, body=None, media_type="application/json"):
    """The operation exists, every query parameter is declared and valid, the body fits requestBody
    (``media_type``: a multipart/form-data body is given as its fields, files by their names)."""
    op = find_operation(method, path)
    problems = []
    declared = {p["name"]: p for p in op.params if p.get("in") == "query"}
    params = dict(params or {})
    for name, value in params.items():
        if name not in declared:
            problems.append("%s: query parameter %r is not declared (declared: %s)" % (
                op.operation_id, name, ", ".join(sorted(declared)) or "none"))
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        schema = op.resolve(declared[name].get("schema", {}))
        if re.search(r":(not_)?in$", name) and schema.get("type") != "array":  # described as comma-separated lists
            values = [part for v in values for part in str(v).split(",")]
        for v in values:
            problems += op.check(schema, _coerce(v, schema, name), "query %s=%r" % (name, v))
    for name, p in declared.items():
        if p.get("required") and name not in params:
            problems.append("%s: required query parameter %r missing" % (op.operation_id, name))
    request_body = op.resolve(op.op.get("requestBody")) if op.op.get("requestBody") else None
    if request_body is None:
        if body not in (None, b"", ""):
            problems.append("%s: the spec declares no request body" % op.operation_id)
    elif body is None:
        if request_body.get("required"):
            problems.append("%s: request body required" % op.operation_id)
    else:
        content = request_body.get("content", {})
        media = content.get(media_type) if media_type != "application/json" else \
            content.get("application/json") or next(iter(content.values()), {})
        if media is None:
            problems.append("%s: %s is not a documented request body type" % (op.operation_id, media_type))
            media = {}
        if "schema" in media:
            problems += op.check(_request_schema(op, media["schema"]), body, "request body")
    if problems:
        raise ContractError("\n".join(problems))
    return op.operation_id


def _request_schema(op, schema):
    """The request body schema, with the spec defects listed above fixed."""
    if op.operation_id != "createProduct":
        return schema
    schema = copy.deepcopy(op.resolve(schema))
    variant = copy.deepcopy(op.resolve(schema["properties"]["variants"]["items"]))
    variant["required"] = ["sku"]
    schema["properties"]["variants"]["items"] = variant
    return schema


def validate_response(method, path, status, body, content_type=None):
    """The status is documented for the operation and the body validates against its schema."""
    op = find_operation(method, path)
    responses = op.op.get("responses", {})
    spec = responses.get(str(status)) or responses.get("%dXX" % (status // 100)) or responses.get("default")
    if spec is None:
        raise ContractError("%s: status %s not documented (documented: %s)" % (op.operation_id, status, ", ".join(responses)))
    spec = op.resolve(spec)
    content = {k: op.resolve(v) for k, v in (spec.get("content") or {}).items()}
    if status == 204:
        if body not in (None, b"", ""):
            raise ContractError("%s: a 204 must not have a body" % op.operation_id)
        return op.operation_id
    if not content:
        return op.operation_id
    mime = (content_type or "application/json").split(";")[0].strip()
    if mime not in content:
        raise ContractError("%s %s: content type %s not documented (%s)" % (op.operation_id, status, mime, ", ".join(content)))
    schema = content[mime].get("schema")
    problems = op.check(schema, body, "response %s" % status) if schema else []
    if problems:
        raise ContractError("\n".join(problems))
    return op.operation_id


def response_schema(method, path, status, content_type="application/json"):
    """The (resolved at top level) response schema, for tests that want to inspect it."""
    op = find_operation(method, path)
    spec = op.resolve(op.op["responses"][str(status)])
    return copy.deepcopy(op.resolve(op.resolve(spec["content"][content_type])["schema"]))
