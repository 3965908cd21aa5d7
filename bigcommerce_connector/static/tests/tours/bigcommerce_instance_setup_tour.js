import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("bigcommerce_instance_setup", {
    url: "/odoo/bigcommerce-stores",
    steps: () => [
        { trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name='name'] input", run: "edit Tour Store" },
        {
            trigger: ".o_field_widget[name='store_hash'] input",
            run: "edit https://store-abc123.mybigcommerce.com/manage",
        },
        { trigger: ".o_field_widget[name='access_token'] input", run: "edit tour-token" },
        { trigger: "button[name='action_test_connection']", run: "click" },
        { trigger: ".o_notification:contains('Connected to Sandbox Outfitters')" },
        // The store panel appears without reloading the page.
        { trigger: ".o_field_widget[name='store_name']:contains('Sandbox Outfitters')" },
        { trigger: "button[name='action_confirm']:contains('Confirm')", run: "click" },
        { trigger: ".o_notification:contains('Store confirmed')" },
        { trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Confirmed')" },
        { trigger: ".alert:contains('Still to do') li:contains('A financial workflow')" },
        { trigger: ".o_notebook .nav-link:contains('Channels')", run: "click" },
        { trigger: ".o_field_widget[name='channel_ids'] .o_data_cell:contains('Sandbox Marketplace')" },
        { trigger: ".o_notebook .nav-link:contains('Stock')", run: "click" },
        { trigger: ".o_field_widget[name='location_ids'] .o_data_cell:contains('East Coast Store')" },
    ],
});
