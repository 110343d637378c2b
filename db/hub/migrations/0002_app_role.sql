-- The least-privilege role the hub service runs as: no DDL, and the logs (changes, mutations, audit)
-- are append-only for it. The migrating owner keeps everything else. A login role for a hub is created
-- apart (db/hub/roles.ts, or by the DBA) and granted membership of crm_hub_app; roles are cluster-wide,
-- hence the guard.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_hub_app') THEN
    CREATE ROLE crm_hub_app NOLOGIN;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO crm_hub_app;
GRANT SELECT, INSERT, UPDATE ON branches, pcs, enrol_codes, records TO crm_hub_app;
GRANT SELECT, INSERT ON changes, mutations, audit TO crm_hub_app;
-- The service checks at start that the schema is the one it was built for.
GRANT SELECT ON hub_schema_migrations TO crm_hub_app;
