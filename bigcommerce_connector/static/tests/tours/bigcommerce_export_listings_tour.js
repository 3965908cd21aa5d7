import { registry } from "@web/core/registry";

function pick(field, text) {
    return [
        { trigger: `.modal .o_field_widget[name='${field}'] input`, run: `edit ${text}` },
        { trigger: `.o-autocomplete--dropdown-item:contains('${text}')`, run: "click" },
        { trigger: `.modal .o_field_widget[name='${field}'] .o_tag:contains('${text}')` },
    ];
}

registry.category("web_tour.tours").add("bigcommerce_export_listings", {
    steps: () => [
        ...pick("instance_ids", "Sandbox Store"),
        { trigger: ".modal .o_field_widget[name='operation'] select", run: 'select "bigcommerce_export_listings"' },
        ...pick("bigcommerce_product_tmpl_ids", "Tour Tee"),
        ...pick("bigcommerce_channel_ids", "Sandbox Outfitters"),
        { trigger: ".modal button[name='action_run']", run: "click" },
        { trigger: ".o_notification:contains('Operation queued')" },
    ],
});
