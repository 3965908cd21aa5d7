"""Translatable text built by the pure core, without importing ``odoo``.

A sentence or an order-line name the core makes for a person (an error's ``user_message``,
"Shipping: Flat Rate", a refund that cannot be made) is a ``Text``: a ``str`` holding the
English text, as before, that also keeps its English ``template`` and its ``params``. The
Odoo side translates it where it is shown or stored (``models/bc_translate.py``), in the
language that fits there, with ``env._(template, **params)``.

Templates are written as literals in ``_lt(...)`` calls: Odoo's term export scans every
Python file of the addon, this package included, for ``_()`` and ``_lt()`` calls, so each
template lands in ``i18n/bigcommerce_connector.pot`` and a translation of it is found at
runtime under the addon's name. Placeholders are named (``%(method)s``) so that a
translation may reorder them. A parameter that is itself a ``Text`` is translated too.
"""


class Text(str):
    """English text (the ``str`` value) that remembers how to translate itself."""

    def __new__(cls, template, **params):
        text = super().__new__(cls, template % params if params else template)
        text.template = template
        text.params = params
        return text

    def __repr__(self):
        return f"_lt({self.template!r}, **{self.params!r})"

    def __reduce__(self):
        return (_rebuild, (self.template, self.params))


def _rebuild(template, params):
    return Text(template, **params)


# The marker Odoo's extractor recognises: ``_lt("Shipping: %(method)s", method=...)``.
_lt = Text
