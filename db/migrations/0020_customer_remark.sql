-- 备注: a free-text remark on a customer, shown in the customer grid (a column the user chooses in 列设置)
-- and in its exports (shared/customer-fields.ts, db/customer-field-sql.ts). Nullable with no default:
-- existing customers have none, and adding a column with no default leaves every row as it is.
ALTER TABLE customers ADD COLUMN remark TEXT;
