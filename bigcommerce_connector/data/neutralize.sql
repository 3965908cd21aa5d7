-- A copy of a production database must never talk to, or accept webhooks from, the real stores.
UPDATE bc_instance SET access_token = NULL, client_secret = NULL;
