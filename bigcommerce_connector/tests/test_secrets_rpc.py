from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestSecretsOverRpc(HttpCase):

    def test_marketplace_user_cannot_read_the_token_over_rpc(self):
        instance = self.env["bc.instance"].create({
            "name": "RPC Store", "store_hash": "rpcstore", "access_token": "secret-token-42", "client_secret": "cs-42"})
        self.env["res.users"].create({
            "name": "RPC User", "login": "rpc_user", "password": "rpc_user_pw12",
            "groups_id": [(6, 0, [self.env.ref("bigcommerce_connector.group_bigcommerce_user").id])],
        })
        self.authenticate("rpc_user", "rpc_user_pw12")
        records = self.make_jsonrpc_request("/web/dataset/call_kw/bc.instance/read", {
            "model": "bc.instance", "method": "read", "args": [[instance.id], ["name"]], "kwargs": {}})
        self.assertEqual(records[0]["name"], "RPC Store")
        with mute_logger("odoo.http"), self.assertRaises(Exception) as caught:
            self.make_jsonrpc_request("/web/dataset/call_kw/bc.instance/read", {
                "model": "bc.instance", "method": "read", "args": [[instance.id], ["access_token"]], "kwargs": {}})
        self.assertIn("AccessError", str(caught.exception))
        self.assertNotIn("secret-token-42", str(caught.exception))
        all_fields = self.make_jsonrpc_request("/web/dataset/call_kw/bc.instance/read", {
            "model": "bc.instance", "method": "read", "args": [[instance.id]], "kwargs": {}})
        self.assertNotIn("access_token", all_fields[0])
        self.assertNotIn("secret-token-42", str(all_fields))
