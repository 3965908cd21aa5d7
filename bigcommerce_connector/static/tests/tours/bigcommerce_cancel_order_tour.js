import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("bigcommerce_cancel_order", {
    steps: () => [
        // Cancel in Odoo first: Odoo's own dialog for a confirmed order.
        { trigger: ".o_form_view button[name='action_cancel']", run: "click" },
        { trigger: ".modal-footer button[name='action_cancel']", run: "click" },
        { trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Cancelled')" },
        { trigger: "button[name='action_bigcommerce_cancel_in_store']", run: "click" },
        { trigger: ".modal .o_field_widget[name='reason'] textarea", run: "edit Wrong size ordered" },
        { trigger: ".modal .o_field_widget[name='refund_payments'] input", run: "click" },
        { trigger: ".modal button[name='action_cancel_order']", run: "click" },
        { trigger: ".o_notification:contains('Cancelled in BigCommerce')" },
        { trigger: ".o-mail-Message:contains('Wrong size ordered')" },
        // Cancelled there too: the button is gone.
        { trigger: ".o_form_view:not(:has(button[name='action_bigcommerce_cancel_in_store']))" },
    ],
});
