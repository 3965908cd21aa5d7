"""Translating the text the pure core builds (``bigcommerce/i18n.py``) where Odoo shows or
stores it.

Which language:

* Order-line names ("Shipping: Flat Rate", "Discount: SAVE10") are written once on the sale
  order line and then printed on the quotation and the customer invoice, so they are in the
  **customer's** language (the order partner's ``lang``), as Odoo's own sale lines are (their
  product description follows ``order_id.partner_id.lang``). The import runs as the cron
  user, whose language has nothing to do with the customer's.
* Messages (errors, refusals, log entries) are for the person using Odoo: the language of the
  environment, else of its user, as Odoo's ``_()`` does. Under the queue's cron that is the
  language of the user the cron runs as, at the time the message is stored.
"""
from ..bigcommerce.i18n import Text


def translate(env, text, lang=None):
    """``text`` in ``lang`` (default: the environment's, else its user's) when it is a core
    ``Text``; any other value (a plain string from BigCommerce, None) is returned unchanged."""
    if not isinstance(text, Text):
        return text
    lang = lang or env.lang or env.user.lang or "en_US"
    if lang != env.lang:
        env = env(context=dict(env.context, lang=lang))
    params = {key: translate(env, value) for key, value in text.params.items()}
    # env._ looks the term up in the translations of the addon whose code calls it: this one.
    return env._(text.template, **params)
