import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("bigcommerce_credit_note_refund", {
    steps: () => [
        { trigger: ".o_form_view button[name='action_bigcommerce_refund_in_store']", run: "click" },
        // The quote's methods are offered, the order's own gateway first and chosen; the user picks store credit.
        { trigger: ".modal .o_field_widget[name='method_id'] .o_radio_item:contains('Credit Card') input:checked" },
        { trigger: ".modal .o_field_widget[name='method_id'] .o_radio_item:contains('Store Credit') input", run: "click" },
        { trigger: ".modal .o_field_widget[name='method_id'] .o_radio_item:contains('Store Credit') input:checked" },
        { trigger: ".modal .o_field_widget[name='description'] textarea", run: "edit Too small" },
        { trigger: ".modal button[name='action_refund']", run: "click" },
        { trigger: ".o_notification:contains('Refunded in BigCommerce')" },
        // Refunded: the button is gone.
        { trigger: ".o_form_view:not(:has(button[name='action_bigcommerce_refund_in_store']))" },
    ],
});
