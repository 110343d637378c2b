-- The branch's accounts (issue 16, "Identity"): users, roles and password hashes live on the hub as
-- records of the shared table `users` (one per user name in lower case, written by the PCs' account
-- changes and checked by shared/sync/user-rules.ts). This view reads them as a table, for head office
-- and the DBA (who has which role in which branch, who is disabled) and for the hub's command line.
-- The password hash is left out on purpose: reading accounts should not hand out the hashes.
CREATE VIEW hub_users AS
  SELECT branch,
         data->>'username'                               AS username,
         data->>'display_name'                           AS display_name,
         data->>'role'                                   AS role,
         data->>'staff'                                  AS staff_no,
         coalesce((data->>'disabled')::boolean, false)   AS disabled,
         (data->'reset') IS NOT NULL AND data->'reset' <> 'null'::jsonb AS reset_pending,
         revision,
         updated_at
    FROM records
   WHERE tbl = 'users' AND NOT deleted;

GRANT SELECT ON hub_users TO crm_hub_app;
